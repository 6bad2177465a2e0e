#!/usr/bin/python3
"""Real images from Debian packages: an evaluation set and a disjoint training list, rebuilt from the packages.

Nothing here is committed as pixels: every image is named by package, version, path inside the package and the
SHA-256 of that file. ``fetch`` downloads the pinned packages with ``apt-get download`` into a cache folder
(default ``../build/real-images``), extracts them with ``dpkg-deb -x``, checks each listed file's SHA-256 and
refuses a mismatch::

    /usr/bin/python3 real_images.py fetch            # evaluation set (and the readers it needs)
    /usr/bin/python3 real_images.py fetch --training # the training packages too
    /usr/bin/python3 real_images.py list             # the evaluation table (markdown)

Evaluation images (:data:`EVALUATION`) keep the bit depth a user's file has: 8-bit greyscale, 8-bit RGB, 16-bit
(DICOM CT and MR) and 32-bit float (FITS solar and radio images, a float MRI slice), each cut to one fixed crop.
Packages reserved for independent evaluation by issue #18 are never used (:data:`RESERVED`), nor are the images
the demo model was trained on (scikit-image's). The training list (:data:`TRAINING`) uses other packages
(stellarium-data, gimp-data, python3-pywt) and, from insighttoolkit5-examples, other files than the one
evaluation image taken from it (the ITK MRI slices; the Visible Woman head slice is evaluation only).

No package found here ships electron or fluorescence micrographs or stained histology outside the reserved ones
(python3-hyperspy) and scikit-image (training data of the demo); the closest kind, the Visible Woman cryosection
(colour anatomy), stands in for histology.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = os.path.join(HERE, "..", "build", "real-images")

RESERVED = ("python3-hyperspy", "python-matplotlib-data", "python-drizzle-testdata", "eso-midas-testdata",
            "python3-scipy", "lomiri-wallpapers", "plasma-workspace-wallpapers",
            "com.imagingbook:imagingbook-sample-images")
"""Kept for independent evaluation (issue #18): never read by this project."""

# package -> (version, licence as its debian/copyright states it for the files used)
PACKAGES: Dict[str, Tuple[str, str]] = {
    "opencv-doc": ("4.6.0+dfsg-12", "Apache-2.0 AND BSD-3-Clause (OpenCV samples)"),
    "libjxl-testdata": ("0.0~git20230110.d6168ff-1", "CC0 (external/wesaturate)"),
    "python3-pydicom": ("2.3.1-1", "Expat (pydicom test files)"),
    "insighttoolkit5-examples": ("5.2.1-5+deb12u1", "Apache-2.0 (ITK example data)"),
    "python3-imageio": ("2.4.1-5", "BSD-2-Clause (imageio standard images)"),
    "python3-dipy": ("1.6.0-1", "BSD-3 (dipy data)"),
    "python3-sunpy": ("4.1.2-1+deb12u1", "BSD-2-Clause (sunpy test data)"),
    "python3-astropy": ("5.2.1-2+deb12u1", "BSD-3-Clause (astropy test data)"),
    "python3-pyavm": ("0.9.4-7", "MIT/BSD3 (pyavm test data, ESO image)"),
    "xplanet-images": ("1.3.1-3", "GPL-2+"),
    "mate-backgrounds": ("1.26.0-1", "GPL-2+"),
    # the wallpapers set only
    "gnome-backgrounds": ("43.1-1", "CC-BY-SA-3.0 (debian/copyright)"),
    "sway-backgrounds": ("1.7-6", "Expat (debian/copyright)"),
    # the photographs set only
    "python3-sklearn": ("1.2.1+dfsg-1", "CC-BY-2.0 (sklearn/datasets/images/README.txt)"),
    # the assorted set only
    "visp-images-data": ("3.5.0-1", "GPL-2 (debian/copyright: Inria)"),
    "python3-photutils": ("1.6.0-1+b1", "BSD-3-Clause (photutils datasets)"),
    "ukui-wallpapers": ("20.04.3-1.1", "CC-BY-SA-3.0 (debian/copyright)"),
    # the star fields set only
    "python3-ccdproc": ("2.4.0-1", "BSD-3-Clause (ccdproc test data)"),
    "python3-reproject": ("0.10.0-2", "BSD-3-Clause (reproject test data)"),
    "kstars-data": ("5:3.6.2-2", "GPL-2+ (debian/copyright)"),
    # training only
    "stellarium-data": ("0.22.2-1", "GPL-2+"),
    "gimp-data": ("2.10.34-1+deb12u10", "GPL-3+"),
    "python3-pywt": ("1.1.1-3+b2", "Expat (PyWavelets data)"),
}
READERS = ("python3-pydicom",)  # pure-Python readers the loaders import from the cache (DICOM)


@dataclass(frozen=True)
class RealImage:
    """One image of the set: where it comes from and how it is cut.

    :param id: short unique name.
    :param package: Debian package.
    :param path: file inside the package (absolute, as dpkg-deb lists it).
    :param sha256: of that file.
    :param kind: what it shows (photograph, colour, medical, astronomy, anatomy, document, texture, satellite,
        wallpaper, painting, depth map).
    :param depth: what the evaluation writes: ``8`` (greyscale uint8), ``rgb`` (uint8 RGB), ``16`` (uint16),
        ``32`` (float32).
    :param reader: ``pil``, ``fits`` (also gzipped), ``dicom``, ``npz:KEY:INDEX``, ``npy`` or ``hw:DTYPE`` (raw
        pixels of that numpy dtype after a header of height and width as little-endian uint32, ViSP's depth files).
    :param reduce: integer area-averaging factor applied before cropping (large wallpapers), 1 = none.
    :param at: crop position as fractions (y, x) of the free range.
    """
    id: str
    package: str
    path: str
    sha256: str
    kind: str
    depth: str
    reader: str = "pil"
    reduce: int = 1
    at: Tuple[float, float] = (0.5, 0.5)

    @property
    def version(self) -> str:
        return PACKAGES[self.package][0]

    @property
    def licence(self) -> str:
        return PACKAGES[self.package][1]


_CV = "/usr/share/doc/opencv-doc/examples/data/"
_JXL = "/usr/share/libjxl-testdata/external/wesaturate/500px/"
_ITK = "/usr/share/doc/insighttoolkit5-examples/examples/Data/"
_SUN = "/usr/lib/python3/dist-packages/sunpy/data/test/"
_MATE = "/usr/share/backgrounds/mate/nature/"
_DICOM = "/usr/lib/python3/dist-packages/pydicom/data/test_files/"

EVALUATION: List[RealImage] = [
    # photographs, greyscale 8-bit
    RealImage("cv-building", "opencv-doc", _CV + "building.jpg",
              "742a1baad62ac82e91e718e77eedf7e85c2eddc4badfb8c87c6cbc86c45a8b07", "photograph", "8"),
    RealImage("cv-home", "opencv-doc", _CV + "home.jpg",
              "23b8cf46a1965d0ec33459b875aed43187802834db49e0daa9fa2cc842e9d8d2", "photograph", "8"),
    RealImage("cv-basketball", "opencv-doc", _CV + "basketball1.png",
              "ba06f6701f7260998b430c39b6557f775497e6ce7b1a74f0b7ea6af371bf54a6", "photograph", "8", at=(0.6, 1.0)),
    RealImage("cv-box-in-scene", "opencv-doc", _CV + "box_in_scene.png",
              "8b0225ff76244a42bd1400c0904f8b7afea7d97b7d8115495e42e98ad347bd51", "photograph", "8"),
    RealImage("cv-left01", "opencv-doc", _CV + "left01.jpg",
              "9621899098adffa1440c8264606bb7be535ccfd9ad126ae8e0bd9b0c5a5b8676", "photograph", "8", at=(0.3, 0.3)),
    RealImage("jxl-keong-macan", "libjxl-testdata", _JXL + "cvo9xd_keong_macan_grayscale.png",
              "51caaddb558a2e7ef48e532c98338e81874472669705bf6b4a84507d8d797eb3", "photograph",
              "8", at=(0.8, 1.0)),
    RealImage("mate-storm", "mate-backgrounds", _MATE + "Storm.jpg",
              "77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957", "photograph", "8", reduce=4),
    RealImage("mate-dune", "mate-backgrounds", _MATE + "Dune.jpg",
              "8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91", "photograph", "8", reduce=4),
    RealImage("mate-raindrops", "mate-backgrounds", _MATE + "RainDrops.jpg",
              "3e4ea9671c28c90a86cf67b3db9daf18c4741587c596333a7529ca589aaa0c16", "texture", "8", reduce=4),
    RealImage("mate-wood", "mate-backgrounds", _MATE + "Wood.jpg",
              "19c78500ac00a622e19907ab9cc7d06d46fe08c4a6142759a84195696150ec07", "texture", "8", reduce=4),
    # documents
    RealImage("cv-sudoku", "opencv-doc", _CV + "sudoku.png",
              "000cf81b7ce795013ae02bc9dfb0952aa34153c8c0e7fc99c81918e0738d1f09", "document", "8"),
    RealImage("cv-text-defocus", "opencv-doc", _CV + "text_defocus.jpg",
              "ffea13e23e2bdce60e50e43e5950d76d542a61a820c03c28fbb8f11b26edfdb6", "document", "8"),
    # colour photographs, 8-bit RGB
    RealImage("cv-fruits", "opencv-doc", _CV + "fruits.jpg",
              "9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1", "colour", "rgb"),
    RealImage("cv-baboon", "opencv-doc", _CV + "baboon.jpg",
              "1a1dd18d78eec44420af3b0b7f08ee3d41c982916cae3ce203d7ff35d754cc0f", "colour", "rgb", at=(0.2, 0.5)),
    RealImage("cv-smarties", "opencv-doc", _CV + "smarties.png",
              "ad3f751c053fdcf432687c1bc0e56a61a9119d2bb2ae29365f8aa6534fc77417", "colour", "rgb", at=(0.8, 0.4)),
    RealImage("jxl-riaphotographs", "libjxl-testdata", _JXL + "tmshre_riaphotographs_srgb8.png",
              "b490de2143a336aff26a7ce4ee010f18dece53c3b0802cda76c1796daa5f32a0", "colour",
              "rgb"),
    RealImage("jxl-bliznaca", "libjxl-testdata", _JXL + "u76c0g_bliznaca_srgb8.png",
              "9631423e430c1682fca3c2212adc6ae046df8839d22dfaa8b662761f34b6f711", "colour", "rgb"),
    RealImage("xplanet-earth", "xplanet-images", "/usr/share/xplanet/images/earth.jpg",
              "d4dc80a6ef571939d0abe04a9bed3d3d1e6cd63e59514be1c5e43a6b069e6f1e", "satellite", "rgb",
              reduce=2, at=(0.35, 0.55)),
    # anatomy (colour cryosection), the stand-in for histology
    RealImage("itk-visible-woman-head", "insighttoolkit5-examples", _ITK + "VisibleWomanHeadSlice.png",
              "a580fa87ed9928a497f444dd25d79a48784f7070788af82694882fce7d89c8e7", 
              "anatomy", "rgb"),
    # medical, 16-bit and 32-bit
    RealImage("dicom-ct-small", "python3-pydicom", _DICOM + "CT_small.dcm",
              "3dd31e5cc835b3f2cdd46c9da1982f59251e78518fefa8163d914631c66437d6", "medical", "16", reader="dicom"),
    RealImage("dicom-mr-small", "python3-pydicom", _DICOM + "MR_small.dcm",
              # 64 px: the crop is the whole image
              "3f27d1c22f1a66e80d7bb7c911e8610fd0bb70325a76746a7adb1c0ddefcf2bb", "medical", "16", reader="dicom"),
    RealImage("imageio-stent-64", "python3-imageio",
              "/usr/lib/python3/dist-packages/imageio/resources/images/stent.npz",
              "60a83d2296b51ee6a53153e9ba96ba9020391b0c8952895d9d60a0a629ac6bb6", "medical", "16",
              reader="npz:arr_0:64"),
    RealImage("imageio-stent-z", "python3-imageio",
              "/usr/lib/python3/dist-packages/imageio/resources/images/stent.npz",
              "60a83d2296b51ee6a53153e9ba96ba9020391b0c8952895d9d60a0a629ac6bb6", "medical", "16",
              reader="npz:arr_0:x64"),
    RealImage("dipy-t1-coronal", "python3-dipy", "/usr/lib/python3/dist-packages/dipy/data/files/t1_coronal_slice.npy",
              "6ae15c125c97e11e1ba478ff252c1774d2c31db242a8a61daa93e7b43c873c7b", "medical", "32", reader="npy",
              at=(0.45, 0.5)),
    # astronomy, 32-bit float and 8-bit
    RealImage("sunpy-aia-171", "python3-sunpy", _SUN + "aia_171_level1.fits",
              "71d7f9f56908bd22d5dcac015884117c57c45f30951131bf4abdc06c55cb0280", "astronomy", "32", reader="fits"),
    RealImage("sunpy-eit-0000", "python3-sunpy", _SUN + "EIT/efz20040301.000010_s.fits",
              "b1e0f0f93ffaa43e342a92702c240f5d93d96fba55617cdfc6a1de083c29a727", "astronomy", "32",
              reader="fits"),
    RealImage("sunpy-eit-0100", "python3-sunpy", _SUN + "EIT/efz20040301.010016_s.fits",
              "2b1f1f45cf3bcc9f69642bf7d4aa3e790e0042eb517dd9597484b88029e5e297", "astronomy", "32",
              reader="fits"),
    RealImage("astropy-azp", "python3-astropy",
              "/usr/lib/python3/dist-packages/astropy/modeling/tests/data/1904-66_AZP.fits",
              "51d95450d35cb6c8c60a59e72e693b7127ae7607cece5905206f646b0a4c0246", "astronomy", "32",
              reader="fits"),
    RealImage("pyavm-eso1723a", "python3-pyavm",
              "/usr/lib/python3/dist-packages/pyavm/tests/data/eso_eso1723a_320.png",
              "3611e20579726d07777bf4609e12e0d8ec3e43512e76a6f1c4df7fc6066a13f1", "astronomy", "8"),
    RealImage("xplanet-night", "xplanet-images", "/usr/share/xplanet/images/night.jpg",
              "7caeb19e8a1d78ea569dde2b0f960abb3ce419d26a2e96517d588eb2579e42b8", "satellite", "8",
              reduce=2, at=(0.3, 0.25)),
    RealImage("cv-graf1", "opencv-doc", _CV + "graf1.png",
              "1504b769303c7bde00fa578eeaad3c68e02aceabeb1242e556f1f8d19e4bdea5", "photograph", "8", at=(0.5, 0.3)),
    RealImage("cv-leuven", "opencv-doc", _CV + "leuvenA.jpg",
              "b2977cdbd9fb3f94dadd6f76cf586d145676deb8a22b5f0f42149d21c058c09f", "photograph", "8"),
]
QUICK = ("cv-building", "mate-wood", "cv-sudoku", "cv-fruits", "itk-visible-woman-head", "dicom-ct-small",
         "dipy-t1-coronal", "sunpy-aia-171", "astropy-azp")
"""A subset of 9 images of every kind and depth (``--quick``)."""

_GNOME = "/usr/share/backgrounds/gnome/"
_SWAY = "/usr/share/backgrounds/sway/Sway_Wallpaper_Blue_2048x1536.png"
_GNOME_SHA = {
    "adwaita-l": "e2a2f6b559e574b76f302e2e854321ee0acbbd8e1891fce95269781e248aa045",
    "adwaita-d": "c4b3fed40deae59f4d296b8f12b0ece7c178c4cfabe9442a260126af5a67819c",
    "grid-l": "5c4cb676405e7eb0d89757feb0e4ddb1f1003450066206c5ee928771f5e475af",
    "licorice-d": "e51a584d75ec33b58cd33c662948bef359d49a77cb142eebcd11a104b2c9ad4c",
    "pixels-l": "1ee02e123d937bdcbc6ec848cda8b54f7acdddf5c0cec9f8aa6f4b2182835711",
    "symbolic-d": "83bab4682797a1d9104b9da5499cf373ab6c737bd492e096f56cc62e1656b6b1",
    "truchet-l": "ad1bb88c2aa30babe41f61c58f5c59a024fc73d5072ae37b7ae5035328ac0591",
    "wood-l": "37c8e62479bc5282a0e890d0bcbe1762223cc541b79730dcfaf38b0a57d2e80e",
    "wood-d": "8cf3f7c0fbdf4376161d419169e23aa1f3a03367c4bb6e25d7e45428a8b9378f",
}
WALLPAPERS: List[RealImage] = [
    RealImage(f"g-{name}-{j}", "gnome-backgrounds", _GNOME + name + ".webp", sha, "wallpaper", depth, reduce=8, at=at)
    for name, sha in _GNOME_SHA.items() for j, (depth, at) in enumerate([("rgb", (0.3, 0.6)), ("8", (0.7, 0.2))])
] + [
    RealImage(f"s-blue-{j}", "sway-backgrounds", _SWAY, "205ac46f075e8474d22001f00ab418acee3fb9a71036a2a0a90b9d461638a742",
              "wallpaper", depth, reduce=2, at=at)
    for j, (depth, at) in enumerate([("rgb", (0.2, 0.2)), ("8", (0.5, 0.5)), ("rgb", (0.8, 0.7))])
]
"""A second set (``evaluate_real.py --set wallpapers``, session 32): desktop wallpapers, clean graphics with sharp
edges, smooth gradients and wood, of two packages that neither the evaluation above nor the training uses; two
crops of each GNOME picture (colour and greyscale), three of the sway one."""

_SKLEARN = "/usr/lib/python3/dist-packages/sklearn/datasets/images/"
_SKLEARN_SHA = {"china": "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29",
                "flower": "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638"}
PHOTOGRAPHS: List[RealImage] = [
    RealImage(f"{name}-{j}", "python3-sklearn", _SKLEARN + name + ".jpg", sha, "photograph", depth, at=at)
    for name, sha in _SKLEARN_SHA.items() for j, (at, depth) in enumerate(
        [((0.2, 0.2), "8"), ((0.2, 0.8), "rgb"), ((0.8, 0.2), "rgb"), ((0.8, 0.8), "8"), ((0.5, 0.5), "rgb"),
         ((0.5, 0.1), "8")])
]
"""A third set (``evaluate_real.py --set photographs``, session 36): six crops of each of scikit-learn's two
photographs (a temple, a flower before a blurred backdrop; JPEG), greyscale and colour, of a package that neither the
evaluation nor the training uses. Its first run found a fill that the other sets never showed (FillTexture.topUp)."""

_VISP = "/usr/share/visp-images-data/ViSP-images/"
_UKUI = "/usr/share/backgrounds/"
ASSORTED: List[RealImage] = [
    RealImage(f"solvay-{j}", "visp-images-data", _VISP + "Solvay/Solvay_conference_1927_Version2_2126x1463.png",
              "c98b2f60bd2a47451cf37bdf276a7e78d83f872781120b420a76f7bd68c1ca0e", "photograph", "8", reduce=r, at=at)
    for j, (r, at) in enumerate([(2, (0.6, 0.5)), (1, (0.55, 0.45)), (2, (0.15, 0.7)), (4, (0.5, 0.5))])
] + [
    RealImage(f"klimt-{j}", "visp-images-data", _VISP + "Klimt/Klimt.png",
              "fb1c8941e815afbeb6102736f36b56e0107abf96a520ab8c644656a529db056b", "painting", depth, at=at)
    for j, (depth, at) in enumerate([("rgb", (0.3, 0.1)), ("rgb", (0.5, 0.5)), ("8", (0.8, 0.6))])
] + [
    RealImage(f"depth-{j}", "visp-images-data", _VISP + f"mbt-depth/castel/castel/depth_image_00{n}.bin", sha,
              "depth map", "16", reader="hw:<u2", at=at)
    for j, (n, sha, at) in enumerate([
        ("10", "e26de3803fb094fa6118d69823bcae160acee232f63180932e18707fb79e0778", (0.5, 0.5)),
        ("25", "ee888020b2be0d27b3d6dfd2cb4b761b31e82f28733d20406c9103ca707340eb", (0.3, 0.3))])
] + [
    RealImage(f"fermi-{j}", "python3-photutils",
              "/usr/lib/python3/dist-packages/photutils/datasets/data/fermi_counts.fits.gz",
              "e555397c1c864dc42af7c205b4d8eeda5f81921cfc67a8d36ed346bc157a0822", "astronomy", "32", reader="fits",
              at=at)
    for j, at in enumerate([(0.5, 0.5), (0.0, 0.1)])
] + [
    RealImage(f"ukui-{name.split('.')[0]}", "ukui-wallpapers", _UKUI + name, sha, "wallpaper", depth, reduce=8, at=at)
    for name, sha, depth, at in [
        ("goldfish.png", "a01ef5d91bfe63fd77e91107ebb83fe203b39ad09cfb40488c56d21f50dffe0f", "rgb", (0.5, 0.6)),
        ("the-mouse.jpg", "e4717d5cb7dd3ed12cf0883567b7f2ca38dd83a073a12fc666e8c3b87c3abf79", "rgb", (0.4, 0.5)),
        ("string.jpg", "73fd26471a45955d256e9318fb24e7ec3a6a922fdc12ec3080c75d2a8da8ab3d", "rgb", (0.5, 0.5)),
        ("firstgeneration.jpg", "177f1f8cf97dce50abd06c60f274547114b71519f3484e744beecaffa4fd6faa", "8", (0.5, 0.7))]
]
"""A fourth set (``evaluate_real.py --set assorted``, session 37) of three packages that no other set and no
training uses: the 1927 Solvay conference photograph (film grain, faces) and Klimt's painting from ViSP's test images,
two 16-bit depth maps with holes of zero (ViSP), the Fermi gamma-ray counts (photutils; small integers, most of them
zero) and four Ubuntu Kylin wallpapers."""

_CCD = "/usr/lib/python3/dist-packages/ccdproc/tests/data/a8280271.fits"
_SPLASH = "/usr/share/kstars/kstarslite/qml/images/splash_bg@4x.jpeg"
STAR_FIELDS: List[RealImage] = [
    RealImage(f"ccd-{j}", "python3-ccdproc", _CCD, "f1a33e416b601c57a77893e11ab158e0216ab1f48c634adcabdb757d84111f02",
              "astronomy", "32", reader="fits", at=at)
    for j, at in enumerate([(0.0, 0.3), (0.85, 0.85), (0.5, 0.5), (1.0, 0.0), (0.3, 0.7)])
] + [
    RealImage("secchi-a", "python3-reproject", "/usr/lib/python3/dist-packages/reproject/tests/data/secchi_l0_a.fits",
              "cb7f459a210670e5480dde98e1898ac5e1d8c89b87d22ef3cd41f9459684763f", "astronomy", "32", reader="fits")
] + [
    RealImage(f"sky-{j}", "kstars-data", _SPLASH, "1472cc4060cd339c40d41b16da0c49f4bf9f093ea4beab04390b651457178b9e",
              "photograph", depth, reduce=r, at=at)
    for j, (depth, r, at) in enumerate([("rgb", 4, (0.3, 0.3)), ("8", 4, (0.95, 0.5)), ("rgb", 2, (0.4, 0.6)),
                                        ("8", 1, (0.5, 0.5)), ("rgb", 4, (0.8, 0.9))])
]
"""A fifth set (``evaluate_real.py --set starfields``, session 39) of three packages that no other set and no training
uses: a raw CCD frame (ccdproc's test data: sky noise, a few stars, the overscan strips at two edges) in five crops,
a STEREO/SECCHI level-0 frame (reproject's test data) and the KStars splash photograph (a night sky with drawn
constellations over mountains, JPEG) at three scales, the kinds the issue's astronomy frame stands for."""

SETS = {"evaluation": EVALUATION, "wallpapers": WALLPAPERS, "photographs": PHOTOGRAPHS, "assorted": ASSORTED,
        "starfields": STAR_FIELDS}

_STEL = "/usr/share/stellarium/nebulae/default/"


@dataclass(frozen=True)
class TrainingSource:
    """Training files by pattern (``every`` keeps every n-th match, sorted); SHA-256s go into the pack."""
    package: str
    pattern: str
    kind: str
    depth: str = "8"
    every: int = 1
    min_side: int = 128
    exclude: Tuple[str, ...] = field(default_factory=tuple)


TRAINING: List[TrainingSource] = [
    TrainingSource("stellarium-data", _STEL + "*.png", "astronomy", every=3, min_side=256),
    TrainingSource("stellarium-data", "/usr/share/stellarium/landscapes/*/*.png", "photograph", every=2,
                   min_side=256),
    TrainingSource("gimp-data", "/usr/share/gimp/2.0/gimpressionist/Paper/*.pgm", "texture"),
    TrainingSource("python3-pywt", "/usr/lib/python3/dist-packages/pywt/data/aero.npz", "photograph"),
    TrainingSource("insighttoolkit5-examples", _ITK + "Brain*Slice*.png", "medical",
                   exclude=("VisibleWomanHeadSlice.png",)),
    TrainingSource("insighttoolkit5-examples", _ITK + "FatMRISlice.png", "medical"),
    TrainingSource("insighttoolkit5-examples", _ITK + "VisibleWomanEyeSlice.png", "anatomy", min_side=120),
]


# --------------------------------------------------------------------------------------------------------------
# fetching
# --------------------------------------------------------------------------------------------------------------

def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_root(cache: str, package: str) -> str:
    return os.path.join(cache, "x", package)


def fetch_packages(cache: str, packages) -> None:
    """apt-get download (pinned versions) and dpkg-deb -x each package not yet extracted."""
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    for p in sorted(set(packages)):
        root = package_root(cache, p)
        if os.path.isdir(root):
            continue
        version = PACKAGES[p][0]
        have = glob.glob(os.path.join(debs, f"{p}_*.deb"))
        if not have:
            r = subprocess.run(["apt-get", "download", f"{p}={version}"], cwd=debs, capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"apt-get download {p}={version} failed: {r.stderr.strip().splitlines()[-1:]}; "
                                 "run 'apt-get update' first, or update the pinned version in real_images.py")
            have = glob.glob(os.path.join(debs, f"{p}_*.deb"))
        os.makedirs(root + ".tmp", exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", have[0], root + ".tmp"], check=True)
        os.rename(root + ".tmp", root)


def file_path(cache: str, img: RealImage) -> str:
    return package_root(cache, img.package) + img.path


def check(cache: str, images) -> None:
    for img in images:
        p = file_path(cache, img)
        if not os.path.exists(p):
            raise SystemExit(f"{img.id}: {img.path} is missing from {img.package} {img.version}; "
                             "delete the cache folder and fetch again")
        if img.sha256 and sha256(p) != img.sha256:
            raise SystemExit(f"{img.id}: SHA-256 of {img.path} differs from the recorded one; the package changed: "
                             "pick the recorded version or update the list")


# --------------------------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------------------------

def read_fits(path: str) -> np.ndarray:
    """The first image HDU of a FITS file (primary or IMAGE extension), BSCALE/BZERO applied, as float64."""
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    off = 0
    while off < len(raw):
        hdr: Dict[str, str] = {}
        done = False
        while not done:
            block, off = raw[off:off + 2880], off + 2880
            for i in range(36):
                card = block[i * 80:(i + 1) * 80].decode("ascii", "replace")
                if card[:8].strip() == "END":
                    done = True
                    break
                if card[8:10] == "= ":
                    hdr[card[:8].strip()] = card[10:].split("/")[0].strip().strip("'").strip()
        bitpix, naxis = int(hdr.get("BITPIX", 8)), int(hdr.get("NAXIS", 0))
        dims = [int(hdr.get(f"NAXIS{i + 1}", 0)) for i in range(naxis)]
        n = int(np.prod(dims)) if naxis else 0
        nbytes = n * abs(bitpix) // 8
        if hdr.get("XTENSION", "IMAGE") == "IMAGE" and naxis >= 2 and n > 1:
            dt = {8: ">u1", 16: ">i2", 32: ">i4", -32: ">f4", -64: ">f8"}[bitpix]
            a = np.frombuffer(raw[off:off + nbytes], dt).reshape(dims[::-1]).astype(np.float64)
            return a * float(hdr.get("BSCALE", 1)) + float(hdr.get("BZERO", 0))
        off += ((nbytes + int(hdr.get("PCOUNT", 0) if "XTENSION" in hdr else 0) + 2879) // 2880) * 2880
    raise ValueError(f"{path}: no image HDU")


def read_raw(cache: str, path: str, reader: str) -> np.ndarray:
    """The file's pixels as stored (2-D, or H x W x 3 for colour)."""
    if reader == "pil":
        from PIL import Image
        im = Image.open(path)
        if im.mode == "P":
            im = im.convert("RGB")
        a = np.asarray(im)
        return a[..., :3] if a.ndim == 3 else a
    if reader == "fits":
        return read_fits(path)
    if reader == "dicom":
        sys.path.insert(0, package_root(cache, "python3-pydicom") + "/usr/lib/python3/dist-packages")
        import pydicom
        return pydicom.dcmread(path).pixel_array
    if reader == "npy":
        return np.load(path)
    if reader.startswith("hw:"):
        h, w = np.fromfile(path, "<u4", 2)
        return np.fromfile(path, reader[3:], offset=8).reshape(h, w)
    if reader.startswith("npz:"):
        _, key, index = reader.split(":")
        a = np.load(path)[key]
        if index.startswith("x"):  # a reslice along the last axis (sagittal) of a volume
            return a[:, :, int(index[1:])]
        return a[int(index)] if a.ndim == 3 else a
    raise ValueError(f"unknown reader '{reader}'")


def _area_reduce(a: np.ndarray, f: int) -> np.ndarray:
    if f == 1:
        return a
    h, w = (a.shape[0] // f) * f, (a.shape[1] // f) * f
    a = a[:h, :w].astype(np.float64)
    return a.reshape(h // f, f, w // f, f, *a.shape[2:]).mean(axis=(1, 3))


def to_depth(a: np.ndarray, depth: str) -> np.ndarray:
    """Pixels in the type a user's file of that depth has (greyscale by ITU-R 601 luma for 8-bit grey)."""
    if depth == "rgb":
        if a.ndim == 2:
            a = np.stack([a] * 3, -1)
        return np.clip(np.round(a), 0, 255).astype(np.uint8)
    if a.ndim == 3:
        a = a[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if depth == "8":
        return np.clip(np.round(a), 0, 255).astype(np.uint8)
    if depth == "16":
        return np.clip(np.round(a), 0, 65535).astype(np.uint16)
    if depth == "32":
        return a.astype(np.float32)
    raise ValueError(f"unknown depth '{depth}'")


def crop(a: np.ndarray, size: int, at: Tuple[float, float]) -> np.ndarray:
    """A ``size`` square (or the largest multiple of 4 the image holds) at fractional position ``at``."""
    s = min(size, (min(a.shape[:2]) // 4) * 4)
    y, x = int(round((a.shape[0] - s) * at[0])), int(round((a.shape[1] - s) * at[1]))
    return a[y:y + s, x:x + s]


def load(cache: str, img: RealImage, size: int = 128) -> np.ndarray:
    """The evaluation crop of ``img``: [S x S] (or [S x S x 3] for ``rgb``) in the dtype of its depth."""
    a = read_raw(cache, file_path(cache, img), img.reader)
    a = _area_reduce(np.asarray(a), img.reduce)
    return np.ascontiguousarray(crop(to_depth(a, img.depth), size, img.at))


def training_files(cache: str) -> List[Tuple[TrainingSource, str]]:
    """Every training file (absolute path in the cache) with its source rule; never an evaluation file."""
    from PIL import Image
    eval_files = {(e.package, e.path) for e in EVALUATION}
    out = []
    for src in TRAINING:
        root = package_root(cache, src.package)
        matches = sorted(glob.glob(root + src.pattern))[::src.every]
        for p in matches:
            rel = p[len(root):]
            if (src.package, rel) in eval_files or os.path.basename(p) in src.exclude:
                continue
            if p.endswith((".png", ".jpg", ".pgm")) and min(Image.open(p).size) < src.min_side:
                continue
            out.append((src, p))
    return out


def markdown_table(images=None) -> str:
    rows = ["| id | kind | depth | package (version) | path in the package | licence |", "|---|---|---|---|---|---|"]
    for e in images or EVALUATION:
        depth = {"8": "8-bit", "rgb": "8-bit RGB", "16": "16-bit", "32": "32-bit float"}[e.depth]
        extra = f", area /{e.reduce}" if e.reduce > 1 else ""
        rows.append(f"| {e.id} | {e.kind} | {depth}{extra} | {e.package} ({e.version}) | `{e.path}` | {e.licence} |")
    return "\n".join(rows)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=["fetch", "list", "hashes"])
    p.add_argument("--cache", default=DEFAULT_CACHE)
    p.add_argument("--training", action="store_true", help="fetch the training packages too")
    args = p.parse_args(argv)
    assert not set(PACKAGES) & set(RESERVED)
    if args.command == "list":
        print(markdown_table())
        return
    pk = {e.package for e in EVALUATION} | set(READERS)
    if args.training:
        pk |= {t.package for t in TRAINING}
    fetch_packages(args.cache, pk)
    if args.command == "hashes":
        for e in EVALUATION:
            print(e.id, sha256(file_path(args.cache, e)))
        return
    check(args.cache, EVALUATION)
    print(f"{len(EVALUATION)} evaluation images in {os.path.abspath(args.cache)} (SHA-256 checked)")
    if args.training:
        print(f"{len(training_files(args.cache))} training files")


if __name__ == "__main__":
    main()
