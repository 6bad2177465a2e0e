package org.ldmfiji.image;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.RealType;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class IjImagesTest {

	private static void setThroughWrapper(RandomAccessibleInterval<? extends RealType<?>> img, int x, int y, double v) {
		RandomAccess<? extends RealType<?>> ra = img.randomAccess();
		ra.setPosition(new long[] { x, y });
		ra.get().setReal(v);
	}

	@Test
	void wrappersShareThePixelArrays() {
		ImageProcessor[] ips = { new ByteProcessor(5, 4), new ShortProcessor(5, 4), new FloatProcessor(5, 4) };
		double[] values = { 200, 60000, -2.5 };
		for (int i = 0; i < ips.length; i++) {
			RandomAccessibleInterval<? extends RealType<?>> img = IjImgViews.wrap(ips[i]);
			assertEquals(5, img.dimension(0));
			assertEquals(4, img.dimension(1));
			setThroughWrapper(img, 3, 2, values[i]);
			assertEquals(values[i], ips[i].getPixelValue(3, 2), 0, ips[i].getBitDepth() + "-bit processor sees the write");
		}
		ColorProcessor cp = new ColorProcessor(5, 4);
		RandomAccess<ARGBType> ra = IjImgViews.wrapRgb(cp).randomAccess();
		ra.setPosition(new long[] { 1, 3 });
		ra.get().set(ARGBType.rgba(10, 20, 30, 255));
		assertArrayEquals(new int[] { 10, 20, 30 }, cp.getPixel(1, 3, null));
		assertThrows(IllegalArgumentException.class, () -> IjImgViews.wrap(cp));
	}

	@Test
	void stackPlaneWrapperWritesIntoThatPlane() {
		ImageStack stack = new ImageStack(6, 3);
		for (int i = 0; i < 3; i++) stack.addSlice(new ShortProcessor(6, 3));
		ImagePlus imp = new ImagePlus("stack", stack);
		setThroughWrapper(IjImgViews.wrapPlane(imp, 2), 5, 1, 1234);
		assertEquals(1234, ((short[]) stack.getPixels(2))[1 * 6 + 5]);
		assertEquals(0, ((short[]) stack.getPixels(1))[1 * 6 + 5], "other planes untouched");
		assertThrows(IllegalArgumentException.class, () -> IjImgViews.wrapPlane(imp, 0));

		ImagePlus single = new ImagePlus("one", new ByteProcessor(4, 4));
		setThroughWrapper(IjImgViews.wrapPlane(single, 1), 0, 0, 9);
		assertEquals(9, single.getProcessor().get(0, 0));
	}

	@Test
	void processorReadWriteRoundTripsAllTypes() {
		Random r = new Random(5);
		ImageProcessor[] ips = { new ByteProcessor(7, 5), new ShortProcessor(7, 5), new FloatProcessor(7, 5), new ColorProcessor(7, 5) };
		for (ImageProcessor ip : ips) {
			for (int i = 0; i < 35; i++) {
				if (ip instanceof FloatProcessor) ip.setf(i, (float) r.nextGaussian());
				else if (ip instanceof ColorProcessor) ip.set(i, r.nextInt(1 << 24));
				else ip.set(i, r.nextInt(ip instanceof ByteProcessor ? 256 : 65536));
			}
			FloatPlanes p = IjImages.read(ip);
			assertEquals(ip instanceof ColorProcessor ? 3 : 1, p.channels());
			ImageProcessor out = ip.createProcessor(7, 5);
			ValueMap map = Normalization.forBitDepth(ip.getBitDepth()).fit(p).onto(-1, 1);
			IjImages.write(map.inverse(map.forward(p)), out);
			for (int i = 0; i < 35; i++) {
				if (ip instanceof FloatProcessor) assertEquals(ip.getf(i), out.getf(i), 1e-5, "32-bit pixel " + i);
				else assertEquals(ip.get(i) & 0xffffff, out.get(i) & 0xffffff, ip.getBitDepth() + "-bit pixel " + i);
			}
		}
	}

	@Test
	void hyperstackChannelsReadAndWriteAtOnePosition() {
		ImagePlus imp = IJ.createHyperStack("hs", 4, 3, 2, 3, 1, 16);
		int idx = imp.getStackIndex(2, 3, 1);
		((short[]) imp.getStack().getPixels(idx))[5] = 777;
		FloatPlanes p = IjImages.readChannels(imp, 3, 1);
		assertEquals(2, p.channels());
		assertEquals(777f, p.get(1, 1, 1));
		p.set(0, 0, 0, 42f);
		IjImages.writeChannels(p, imp, 3, 1);
		assertEquals(42, ((short[]) imp.getStack().getPixels(imp.getStackIndex(1, 3, 1)))[0]);
		assertThrows(IllegalArgumentException.class, () -> IjImages.readChannels(imp, 4, 1));

		ImagePlus rgb = IJ.createImage("rgb", "RGB black", 4, 3, 1);
		assertEquals(3, IjImages.readChannels(rgb, 1, 1).channels());
	}

	@Test
	void createLikeKeepsTypeAndDividesCalibrationByTheFactor() {
		ImagePlus template = IJ.createImage("cells", "16-bit black", 32, 24, 1);
		Calibration cal = template.getCalibration();
		cal.pixelWidth = 0.4;
		cal.pixelHeight = 0.5;
		cal.pixelDepth = 2;
		cal.xOrigin = 3;
		cal.setUnit("micron");
		template.setDisplayRange(100, 4000);

		ImagePlus out = IjImages.createLike(template, "cells x4", 128, 96, 4, "LDM super-resolution, model demo, 50 DDIM steps, seed 1");
		assertEquals(16, out.getBitDepth());
		assertEquals(128, out.getWidth());
		assertEquals(96, out.getHeight());
		assertEquals("cells x4", out.getTitle());
		assertEquals(0.1, out.getCalibration().pixelWidth, 1e-12);
		assertEquals(0.125, out.getCalibration().pixelHeight, 1e-12);
		assertEquals(2, out.getCalibration().pixelDepth, 1e-12, "z spacing unchanged");
		assertEquals(12, out.getCalibration().xOrigin, 1e-12, "origin in pixels scales with the grid");
		assertEquals("micron", out.getCalibration().getUnit());
		assertEquals(0.4, template.getCalibration().pixelWidth, 1e-12, "template calibration untouched");
		assertEquals(100, out.getDisplayRangeMin(), 0);
		assertEquals(4000, out.getDisplayRangeMax(), 0);
		assertEquals("LDM super-resolution, model demo, 50 DDIM steps, seed 1", out.getProperty("Info"));

		for (String type : new String[] { "8-bit", "32-bit", "RGB" }) {
			ImagePlus t = IJ.createImage("t", type + " black", 8, 8, 2);
			ImagePlus o = IjImages.createLike(t, "o", 8, 8, "same size");
			assertEquals(t.getBitDepth(), o.getBitDepth(), type);
			assertEquals(2, o.getStackSize(), type + ": stack size kept");
		}
	}

	@Test
	void createLikeKeepsCompositeChannels() {
		ImagePlus t = IJ.createHyperStack("comp", 8, 8, 3, 1, 1, 8);
		assertTrue(t instanceof CompositeImage);
		((CompositeImage) t).setMode(IJ.GRAYSCALE);
		ImagePlus o = IjImages.createLike(t, "o", 16, 16, 2, null);
		assertTrue(o.isComposite());
		assertEquals(3, o.getNChannels());
		assertEquals(IJ.GRAYSCALE, ((CompositeImage) o).getMode());
	}
}
