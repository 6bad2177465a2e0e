package org.ldmfiji.spark;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import org.ldmfiji.image.FloatPlanes;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Small test images with structure at several scales and noise, and pixel-exact comparison of result files. */
final class Images {

	private Images() {}

	static ImageProcessor plane(int w, int h, int bits, long seed) {
		Random r = new Random(seed);
		ImageProcessor ip = bits == 8 ? new ByteProcessor(w, h) : new ShortProcessor(w, h);
		double amp = bits == 8 ? 60 : 900, base = bits == 8 ? 128 : 2000;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				ip.setf(x + y * w, (float) Math.max(0, Math.round(base + amp * Math.sin(x * 0.11 + seed) * Math.cos(y * 0.07)
					+ amp * 0.6 * Math.sin((x + y) * 0.23) + amp * 0.15 * r.nextGaussian())));
		return ip;
	}

	/** A dim 8-bit sky: a smooth pattern of 13 levels (6 … 18), no noise, as one plane. */
	static Path dimSky(Path file, int w, int h) {
		ByteProcessor ip = new ByteProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				ip.setf(x + y * w, Math.round(12 + 6 * Math.sin(x * 0.05 + 0.5) * Math.cos(y * 0.04) + 0.02 * (x - y)));
		if (!new FileSaver(new ImagePlus(file.getFileName().toString(), ip)).saveAsTiff(file.toString()))
			throw new IllegalStateException("cannot write " + file);
		return file;
	}

	static Path save(Path file, int w, int h, int bits, int planes) {
		ImageStack s = new ImageStack(w, h);
		for (int p = 0; p < planes; p++) s.addSlice(plane(w, h, bits, p + 7L * bits));
		ImagePlus imp = new ImagePlus(file.getFileName().toString(), s);
		boolean ok = planes > 1 ? new FileSaver(imp).saveAsTiffStack(file.toString()) : new FileSaver(imp).saveAsTiff(file.toString());
		if (!ok) throw new IllegalStateException("cannot write " + file);
		return file;
	}

	static ImagePlus open(Path file) {
		ImagePlus imp = IJ.openImage(file.toString());
		assertNotNull(imp, "cannot read " + file);
		return imp;
	}

	/** Same size, planes and type, and every pixel equal. */
	static void assertSamePixels(Path expected, Path actual) {
		ImagePlus a = open(expected), b = open(actual);
		assertEquals(a.getWidth() + "x" + a.getHeight() + "x" + a.getStackSize() + " " + a.getBitDepth() + "-bit",
			b.getWidth() + "x" + b.getHeight() + "x" + b.getStackSize() + " " + b.getBitDepth() + "-bit", "size and type of " + actual);
		for (int p = 1; p <= a.getStackSize(); p++) {
			ImageProcessor x = a.getStack().getProcessor(p), y = b.getStack().getProcessor(p);
			int differ = 0;
			for (int i = 0; i < x.getPixelCount(); i++) if (Float.floatToIntBits(x.getf(i)) != Float.floatToIntBits(y.getf(i))) differ++;
			assertEquals(0, differ, "pixels of plane " + p + " that differ between " + expected + " and " + actual);
		}
	}

	static FloatPlanes floats(Path file) {
		ImageProcessor ip = open(file).getProcessor();
		float[] d = new float[ip.getPixelCount()];
		for (int i = 0; i < d.length; i++) d[i] = ip.getf(i);
		return new FloatPlanes(1, ip.getHeight(), ip.getWidth(), d);
	}
}
