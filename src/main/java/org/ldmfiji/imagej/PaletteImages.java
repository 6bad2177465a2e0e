package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;

/**
 * An 8-bit image whose values are indices into the file's palette rather than intensities: a GIF, a PNG or TIFF
 * with a colour table ("8-bit Color" in ImageJ), a 1-bit PNG (values 0 and 1 shown black and white), a grey palette in
 * any order. The model, which reads 8-bit values as grey levels 0-255, is given what the palette shows: an RGB image
 * for a colour palette, an 8-bit grey image for a grey one, made with the same planes, calibration and Info. An 8-bit
 * image with one of ImageJ's display tables (the grey ramp, the inverted ramp, a pseudo-colour LUT such as Fire, a
 * channel's colour in a composite) holds intensities and is used as it is.
 * <p>
 * The palette is a colour one by ImageJ's own test for "8-bit Color" ({@code ImagePlus.setTypeToColor256}: a colour
 * LUT that is not a pseudo-colour one); a grey palette is one whose entries are all grey and that is neither the ramp
 * v ↦ v nor v ↦ 255 − v. The base table is read, not the one the display range has stretched.
 */
public final class PaletteImages {

	private PaletteImages() {}

	/** What the image's palette is: none (the values are intensities), grey or colour. */
	public enum Palette { NONE, GREY, COLOUR }

	/** The image's palette; {@link Palette#NONE} for every image that is not a one-channel 8-bit image. */
	public static Palette of(ImagePlus imp) {
		if (imp.getBitDepth() != 8 || imp.getNChannels() > 1 || imp.isComposite()) return Palette.NONE;
		ImageProcessor ip = imp.getProcessor();
		ColorModel cm = ip.getColorModel();
		if (!(cm instanceof IndexColorModel) || ip.isThreshold()) return Palette.NONE;
		if (ip.isColorLut()) return ip.isPseudoColorLut() ? Palette.NONE : Palette.COLOUR;
		int[] rgb = table((IndexColorModel) cm);
		boolean ramp = true, inverted = true;
		for (int v = 0; v < 256; v++) {
			int grey = rgb[v] & 0xff;
			ramp &= grey == v;
			inverted &= grey == 255 - v;
		}
		return ramp || inverted ? Palette.NONE : Palette.GREY;
	}

	/**
	 * The image as its palette shows it (RGB for a colour palette, grey levels for a grey one), a new image with the
	 * source's title, dimensions, calibration and Info; the image itself when it has no palette.
	 */
	public static ImagePlus asShown(ImagePlus imp) {
		Palette palette = of(imp);
		if (palette == Palette.NONE) return imp;
		int[] rgb = table((IndexColorModel) imp.getProcessor().getColorModel());
		int w = imp.getWidth(), h = imp.getHeight();
		ImageStack source = imp.getStack(), shown = new ImageStack(w, h);
		for (int i = 1; i <= source.getSize(); i++) {
			ImageProcessor ip = source.getProcessor(i);
			ImageProcessor out = palette == Palette.COLOUR ? new ColorProcessor(w, h) : new ByteProcessor(w, h);
			for (int p = 0; p < w * h; p++) {
				int colour = rgb[ip.get(p)];
				out.set(p, palette == Palette.COLOUR ? colour : colour & 0xff);
			}
			shown.addSlice(source.getSliceLabel(i), out);
		}
		ImagePlus out = new ImagePlus(imp.getTitle(), shown);
		out.setDimensions(1, imp.getNSlices(), imp.getNFrames());
		if (imp.isHyperStack()) out.setOpenAsHyperStack(true);
		out.setCalibration(imp.getCalibration().copy());
		Object info = imp.getProperty("Info");
		if (info != null) out.setProperty("Info", info);
		out.setProperty(SHOWN_FROM, describe(imp)); // read from a file (the CLI): the provenance still says so
		return out;
	}

	/** The property of an {@link #asShown} image that keeps how its source's values were read. */
	private static final String SHOWN_FROM = "ldm.palette";

	/**
	 * How a source's values are read, for its description in a result's provenance (also of an image that
	 * {@link #asShown} made of one); null for an image without a palette.
	 */
	static String describe(ImagePlus imp) {
		Object shownFrom = imp.getProperty(SHOWN_FROM);
		if (shownFrom != null) return shownFrom.toString();
		switch (of(imp)) {
			case COLOUR:
				return "8-bit with a colour palette, used as the RGB image it shows";
			case GREY:
				return "8-bit with a grey palette, used as the grey levels it shows";
			default:
				return null;
		}
	}

	/** The palette's 256 entries as 0xRRGGBB; an index past the palette's end shows black. */
	private static int[] table(IndexColorModel cm) {
		int[] rgb = new int[256];
		for (int v = 0; v < Math.min(256, cm.getMapSize()); v++) rgb[v] = cm.getRGB(v) & 0xffffff;
		return rgb;
	}
}
