package org.ldmfiji.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.io.RoiEncoder;
import ij.io.TiffEncoder;

import org.ldmfiji.imagej.PaletteImages;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Image files in and out. In: ImageJ 1.x's readers, after checking that the file is whole (a TIFF's data lies within
 * the file, {@link TiffCheck}; a PNG, JPEG, GIF or BMP decodes without error or warning); an 8-bit file with a palette
 * as the image it shows ({@link PaletteImages}). Out: ImageJ's own TIFF
 * encoder (the bit depth, calibration, Info and overlay as FileSaver writes them) or ImageIO's PNG writer, onto a
 * stream that {@link AtomicFile} puts in place only when complete; errors come back with the system's reason and
 * nothing of ImageJ reaches stdout.
 */
final class ImageFiles {

	private ImageFiles() {}

	static ImagePlus open(Path path) {
		if (!Files.isRegularFile(path)) throw new IllegalArgumentException("no image file " + path + " (check the path)");
		byte[] head;
		try (InputStream in = Files.newInputStream(path)) {
			head = in.readNBytes(8);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("cannot read " + path + ": " + IoReason.of(e), e);
		}
		if (head.length == 0) throw new IllegalArgumentException("cannot read " + path + ": the file is empty");
		if (TiffCheck.isBigTiff(head)) throw new IllegalArgumentException("cannot read " + path + ": a BigTIFF, which "
			+ "ImageJ's reader does not read; save it as a standard TIFF (under 4 GB: File > Save As > Tiff... in Fiji) first");
		if (TiffCheck.isTiff(head)) TiffCheck.requireComplete(path);
		else requireOpaque(path, requireDecodable(path));
		ImagePlus imp = IJ.openImage(path.toString());
		if (imp == null) throw new IllegalArgumentException("ImageJ cannot read " + path
			+ ": use a TIFF or PNG (8-, 16-, 32-bit or RGB)");
		requireExactAsFloat(path, imp);
		return PaletteImages.asShown(imp);
	}

	/** Floats hold every integer up to 2^24 exactly, and not all beyond it. */
	private static final double FLOAT_EXACT = 1 << 24;

	/**
	 * A TIFF of 32-bit integers, which ImageJ's reader turns into 32-bit floats, must hold only values that floats keep
	 * exactly (|v| ≤ 2^24): beyond that its values would be rounded, the pixels outside a fill included. (ImageJ reads
	 * every 32-bit integer TIFF as signed: a negative value of an unsigned one, SampleFormat 1 or none, is 2^32 less
	 * than the file's.)
	 */
	private static void requireExactAsFloat(Path path, ImagePlus imp) {
		FileInfo fi = imp.getOriginalFileInfo();
		if (fi == null || fi.fileType != FileInfo.GRAY32_INT && fi.fileType != FileInfo.GRAY32_UNSIGNED) return;
		boolean unsigned = fi.fileType == FileInfo.GRAY32_UNSIGNED || !TiffCheck.isSigned(path);
		double largest = 0;
		for (int p = 1; p <= imp.getStackSize(); p++)
			for (float v : (float[]) imp.getStack().getProcessor(p).getPixels())
				largest = Math.max(largest, unsigned && v < 0 ? (double) v + 4294967296.0 : Math.abs(v));
		if (largest > FLOAT_EXACT) throw new IllegalArgumentException(String.format(Locale.ROOT, "cannot read %s: it "
			+ "holds 32-bit integers of magnitude up to about %.0f, which ImageJ's reader keeps as 32-bit floats, exact only up "
			+ "to 16777216 (2^24), so their values would change; subtract an offset or convert it to 32-bit float first",
			path, largest));
	}

	/**
	 * A format ImageIO reads (PNG, JPEG, GIF, BMP) must decode to the end: a cut file gives an error or a warning.
	 * Returns the decoded image, or null for a format ImageIO does not read.
	 */
	private static BufferedImage requireDecodable(Path path) {
		try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
			Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
			if (readers == null || !readers.hasNext()) return null; // not ImageIO's: ImageJ's other readers decide
			ImageReader reader = readers.next();
			List<String> warnings = new ArrayList<>();
			reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
			BufferedImage image;
			try {
				reader.setInput(in, true, true);
				image = reader.read(0);
			}
			finally {
				reader.dispose();
			}
			if (!warnings.isEmpty()) throw new IOException(warnings.get(0));
			return image;
		}
		catch (IOException | RuntimeException e) {
			throw new IllegalArgumentException("cannot read " + path + ": " + IoReason.of(e) + "; is the file complete?", e);
		}
	}

	/**
	 * An image with transparent pixels is refused: ImageJ's reader blends them onto white, so the pixels it would hand
	 * on (and write back outside an inpainted region) would not be the file's.
	 */
	private static void requireOpaque(Path path, BufferedImage image) {
		if (image == null || !image.getColorModel().hasAlpha()) return;
		WritableRaster alpha = image.getAlphaRaster();
		if (alpha == null) return;
		int max = (1 << image.getColorModel().getComponentSize(image.getColorModel().getNumComponents() - 1)) - 1;
		int[] row = new int[alpha.getWidth()];
		for (int y = 0; y < alpha.getHeight(); y++) {
			alpha.getSamples(0, y, alpha.getWidth(), 1, 0, row);
			for (int a : row) if (a != max) throw new IllegalArgumentException(path + " has transparent pixels (an alpha "
				+ "channel), which ImageJ would blend onto white, changing their values: save it without transparency "
				+ "(e.g. Image > Type > RGB Color, as TIFF) first");
		}
	}

	/** Saves as TIFF, or PNG when the name ends in .png (8-bit and RGB only); the previous file stays until it is done. */
	static void save(ImagePlus imp, Path path) {
		saveAll(new ImagePlus[] {imp}, new Path[] {path});
	}

	/**
	 * Saves several images together ({@link AtomicFile#writeAll}): every previous file stays as it was unless all of
	 * them could be written (a disk that fills on the second leaves the first one's previous file in place too).
	 */
	static void saveAll(ImagePlus[] images, Path[] paths) {
		AtomicFile.Content[] contents = new AtomicFile.Content[images.length];
		for (int i = 0; i < images.length; i++) {
			ImagePlus imp = images[i];
			requireStorable(paths[i], imp.getBitDepth(), imp.getStackSize());
			contents[i] = isPng(paths[i]) ? out -> writePng(imp, out) : out -> writeTiff(imp, out);
		}
		try {
			AtomicFile.writeAll(paths, contents);
		}
		catch (AtomicFile.Failed e) {
			throw IoReason.cannotWrite(e.target, e);
		}
		catch (IOException e) {
			throw IoReason.cannotWrite(paths[0], e);
		}
	}

	/**
	 * The file's format can hold an image of that bit depth and number of planes (a PNG: one plane, 8-bit or RGB);
	 * checked before a run and again when saving. Throws IllegalArgumentException naming the fix.
	 */
	static void requireStorable(Path path, int bitDepth, long planes) {
		if (!isPng(path)) return;
		if (bitDepth == 16 || bitDepth == 32) throw new IllegalArgumentException("PNG cannot hold a " + bitDepth
			+ "-bit image without losing its values: write " + path + " as .tif");
		if (planes > 1) throw new IllegalArgumentException("PNG holds one plane, the result has " + planes
			+ " (slices, channels, frames or samples): write " + path + " as .tif");
	}

	static boolean isPng(Path path) {
		return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
	}

	/** Bytes of the pixel data of width × height × planes at the given bytes per pixel (the TIFF's size, less metadata). */
	static long bytes(long width, long height, long planes, int bytesPerPixel) {
		return width * height * planes * bytesPerPixel;
	}

	/**
	 * What FileSaver.saveAsTiff / saveAsTiffStack put in the file (ImageJ 1.54g), written onto a stream; a 16-bit image
	 * with ImageJ's signed calibration as signed 16-bit ({@link SignedTiff}).
	 */
	static void writeTiff(ImagePlus imp, OutputStream out) throws IOException {
		FileInfo fi = imp.getFileInfo();
		FileSaver saver = new FileSaver(imp);
		fi.info = imp.getInfoProperty();
		fi.description = saver.getDescriptionString();
		if (fi.nImages > 1) fi.sliceLabels = imp.getStack().getSliceLabels();
		else {
			String label = imp.hasImageStack() ? imp.getStack().getSliceLabel(1) : null;
			if (label != null) fi.sliceLabels = new String[] {label};
		}
		fi.roi = RoiEncoder.saveAsByteArray(imp.getRoi());
		fi.overlay = FileSaver.getOverlay(imp);
		fi.properties = imp.getPropertiesAsArray();
		if (fi.nImages > 1 && imp.isComposite()) saver.saveDisplayRangesAndLuts(imp, fi);
		if (!SignedTiff.isSigned(imp)) {
			new TiffEncoder(fi).write(out);
			return;
		}
		SignedTiff.toSigned(fi); // the signed 16-bit TIFF it came from, made in memory
		ByteArrayOutputStream tiff = new ByteArrayOutputStream();
		new TiffEncoder(fi).write(tiff);
		out.write(SignedTiff.markSigned(tiff.toByteArray()));
	}

	/** ImageIO's PNG writer onto the stream, cached in memory (ImageIO's default cache is a file in java.io.tmpdir). */
	static void writePng(ImagePlus imp, OutputStream out) throws IOException {
		BufferedImage image = imp.getBufferedImage();
		ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
		try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
			writer.setOutput(stream);
			writer.write(image);
		}
		finally {
			writer.dispose();
		}
	}
}
