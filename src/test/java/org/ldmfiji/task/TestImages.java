package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import java.util.Random;

/** Synthetic test images: smooth blobs plus noise, in each ImageJ type, reproducible from a seed. */
public final class TestImages {

	private TestImages() {}

	/** A w x h plane of the bit depth (8, 16, 24 = RGB, 32) with values spread over a type-typical range. */
	public static ImageProcessor plane(int bitDepth, int w, int h, long seed) {
		Random r = new Random(seed);
		double[] v = new double[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				v[y * w + x] = 0.5 + 0.3 * Math.sin(x / 5.0 + seed) * Math.cos(y / 7.0) + 0.05 * r.nextGaussian();
		switch (bitDepth) {
			case 8: {
				ByteProcessor ip = new ByteProcessor(w, h);
				for (int i = 0; i < v.length; i++) ip.set(i, clamp((int) Math.round(40 + 170 * v[i]), 255));
				return ip;
			}
			case 16: {
				ShortProcessor ip = new ShortProcessor(w, h);
				for (int i = 0; i < v.length; i++) ip.set(i, clamp((int) Math.round(1000 + 3000 * v[i]), 65535));
				return ip;
			}
			case 32: {
				FloatProcessor ip = new FloatProcessor(w, h);
				for (int i = 0; i < v.length; i++) ip.setf(i, (float) (-2.5 + 7.3 * v[i]));
				return ip;
			}
			case 24: {
				ColorProcessor ip = new ColorProcessor(w, h);
				for (int i = 0; i < v.length; i++) {
					int g = clamp((int) Math.round(40 + 170 * v[i]), 255);
					ip.set(i, (clamp(g + 20, 255) << 16) | (g << 8) | clamp(255 - g, 255));
				}
				return ip;
			}
			default:
				throw new IllegalArgumentException("bit depth " + bitDepth);
		}
	}

	public static ImagePlus image(String title, int bitDepth, int w, int h, long seed) {
		return new ImagePlus(title, plane(bitDepth, w, h, seed));
	}

	/** A stack of {@code n} different planes. */
	public static ImagePlus stack(String title, int bitDepth, int w, int h, int n) {
		ImageStack s = new ImageStack(w, h);
		for (int i = 0; i < n; i++) s.addSlice(plane(bitDepth, w, h, 10 + i));
		return new ImagePlus(title, s);
	}

	/** A rectangle mask. */
	public static boolean[] rect(int w, int h, int x0, int y0, int rw, int rh) {
		boolean[] m = new boolean[w * h];
		for (int y = y0; y < y0 + rh; y++)
			for (int x = x0; x < x0 + rw; x++) m[y * w + x] = true;
		return m;
	}

	/** The raw bits of every pixel of every plane (float bits for 32-bit, packed RGB for colour). */
	public static int[][] bits(ImagePlus imp) {
		int[][] out = new int[imp.getStackSize()][];
		for (int s = 1; s <= imp.getStackSize(); s++) {
			ImageProcessor ip = imp.getStackSize() == 1 ? imp.getProcessor() : imp.getStack().getProcessor(s);
			int[] b = new int[ip.getPixelCount()];
			for (int i = 0; i < b.length; i++) b[i] = ip instanceof FloatProcessor ? Float.floatToRawIntBits(ip.getf(i)) : ip.get(i);
			out[s - 1] = b;
		}
		return out;
	}

	/**
	 * What every inpainting result must show: the pixels outside the grown mask are the source's, bit for bit, and
	 * more than half of the selected pixels changed (a fill happened; a result that copies the source fails).
	 */
	public static void assertFilledInsideOnly(int[] before, int[] after, boolean[] mask, int w, int grow) {
		boolean[] grown = Masks.grow(mask, w, mask.length / w, grow);
		int changed = 0;
		for (int i = 0; i < grown.length; i++) {
			if (!grown[i]) org.junit.jupiter.api.Assertions.assertEquals(before[i], after[i], "pixel " + i % w + ","
				+ i / w + " outside the mask changed");
			else if (mask[i] && before[i] != after[i]) changed++;
		}
		long selected = Masks.count(mask);
		org.junit.jupiter.api.Assertions.assertTrue(changed > selected / 2, "the fill changed only " + changed + " of the "
			+ selected + " selected pixels");
	}

	/** Mean |a − b| over the mask's pixels (the first plane of each). */
	public static double maskedMae(FloatPlanes a, FloatPlanes b, boolean[] mask) {
		double s = 0;
		int n = 0;
		for (int i = 0; i < mask.length; i++)
			if (mask[i]) {
				s += Math.abs(a.data()[i] - b.data()[i]);
				n++;
			}
		return s / n;
	}

	private static int clamp(int v, int max) {
		return Math.max(0, Math.min(max, v));
	}
}
