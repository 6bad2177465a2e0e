package org.ldmfiji.image;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.ARGBType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.IntervalView;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ImageTensorsTest {

	@Test
	void readsAndWritesANonZeroMinIntervalAtItsOwnCoordinates() {
		// pixel (x, y) of the backing image holds 100·y + x; the view starts at (-7, 42)
		int w = 5, h = 4;
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(w, h);
		RandomAccess<FloatType> ra = img.randomAccess();
		for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) ra.setPositionAndGet(x, y).set(100 * y + x);
		IntervalView<FloatType> view = Views.translate(img, -7, 42);
		assertEquals(-7, view.min(0));

		FloatPlanes p = ImageTensors.read(view);
		assertEquals(1, p.channels());
		assertEquals(h, p.height());
		assertEquals(w, p.width());
		assertEquals(302f, p.get(0, 3, 2), "element (y=3, x=2) is the view's pixel (min_x + 2, min_y + 3)");

		p.set(0, 1, 4, -5f);
		ArrayImg<FloatType, FloatArray> target = ArrayImgs.floats(w, h);
		ImageTensors.write(p, Views.translate(target, 1000, -3));
		RandomAccess<FloatType> t = Views.translate(target, 1000, -3).randomAccess();
		assertEquals(-5f, t.setPositionAndGet(1004, -2).get(), "written at view position (min_x + 4, min_y + 1)");
		assertEquals(302f, t.setPositionAndGet(1002, 0).get());

		// a crop in the middle of a bigger image: Views.interval keeps the crop's coordinates
		RandomAccessibleInterval<FloatType> crop = Views.interval(img, new long[] { 1, 2 }, new long[] { 3, 3 });
		FloatPlanes c = ImageTensors.read(crop);
		assertEquals(2, c.height());
		assertEquals(3, c.width());
		assertEquals(201f, c.get(0, 0, 0));
		assertEquals(303f, c.get(0, 1, 2));
	}

	@Test
	void threeDimensionalImagesAreXYC() {
		ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(3, 2, 4);
		RandomAccess<UnsignedShortType> ra = img.randomAccess();
		ra.setPositionAndGet(2, 1, 3).set(65535);
		FloatPlanes p = ImageTensors.read(Views.translate(img, 10, 20, 1));
		assertEquals(4, p.channels());
		assertEquals(65535f, p.get(3, 1, 2));
		ArrayImg<UnsignedShortType, ShortArray> back = ArrayImgs.unsignedShorts(3, 2, 4);
		ImageTensors.write(p, back);
		assertArrayEquals(img.update(null).getCurrentStorageArray(), back.update(null).getCurrentStorageArray());
	}

	@Test
	void writeClampsAndRoundsToIntegerTypes() {
		FloatPlanes p = new FloatPlanes(1, 1, 7, new float[] { -3.7f, 0.49f, 0.5f, 254.5f, 300f, 1e9f, Float.NaN });
		ArrayImg<UnsignedByteType, ByteArray> u8 = ArrayImgs.unsignedBytes(7, 1);
		ImageTensors.write(p, u8);
		assertArrayEquals(new float[] { 0, 0, 1, 255, 255, 255, 0 }, ImageTensors.read(u8).data(),
			"8-bit: clamped to 0..255, halves round up, NaN -> 0");

		FloatPlanes q = new FloatPlanes(1, 1, 5, new float[] { -1f, 65534.6f, 65535.4f, 70000f, 1234.5f });
		ArrayImg<UnsignedShortType, ShortArray> u16 = ArrayImgs.unsignedShorts(5, 1);
		ImageTensors.write(q, u16);
		assertArrayEquals(new float[] { 0, 65535, 65535, 65535, 1235 }, ImageTensors.read(u16).data(),
			"16-bit: clamped to 0..65535 and rounded");

		ArrayImg<FloatType, FloatArray> f32 = ArrayImgs.floats(5, 1);
		ImageTensors.write(q, f32);
		assertArrayEquals(q.data(), ImageTensors.read(f32).data(), "float: written unchanged");
	}

	@Test
	void writeRefusesAMismatchedSize() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
			() -> ImageTensors.write(FloatPlanes.zeros(1, 4, 5), ArrayImgs.floats(4, 5)));
		assertTrue(e.getMessage().contains("4 x 5") && e.getMessage().contains("5 x 4"), e.getMessage());
	}

	@Test
	void rgbRoundTripIsExact() {
		Random r = new Random(3);
		int w = 17, h = 9;
		int[] px = new int[w * h];
		for (int i = 0; i < px.length; i++) px[i] = ARGBType.rgba(r.nextInt(256), r.nextInt(256), r.nextInt(256), 255);
		px[0] = ARGBType.rgba(0, 0, 0, 255);
		px[1] = ARGBType.rgba(255, 255, 255, 255);
		ArrayImg<ARGBType, IntArray> img = ArrayImgs.argbs(px, w, h);
		FloatPlanes p = ImageTensors.readRgb(Views.translate(img, 3, -4));
		assertEquals(3, p.channels());
		assertEquals(ARGBType.green(px[5 * w + 2]), (int) p.get(1, 5, 2));

		// through the full value path: fixed 0..255 onto [-1, 1] and back
		ValueMap map = Normalization.fixed(0, 255).fit(p).onto(-1, 1);
		FloatPlanes model = map.forward(p);
		ArrayImg<ARGBType, IntArray> out = ArrayImgs.argbs(w, h);
		ImageTensors.writeRgb(map.inverse(model), out);
		assertArrayEquals(px, out.update(null).getCurrentStorageArray());
	}

	@Test
	void rgbWriteClamps() {
		FloatPlanes p = new FloatPlanes(3, 1, 1, new float[] { -20f, 127.5f, 400f });
		ArrayImg<ARGBType, IntArray> out = ArrayImgs.argbs(1, 1);
		ImageTensors.writeRgb(p, out);
		int v = out.update(null).getCurrentStorageArray()[0];
		assertEquals(0, ARGBType.red(v));
		assertEquals(128, ARGBType.green(v));
		assertEquals(255, ARGBType.blue(v));
	}
}
