package org.ldmfiji.image;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class NormalizationTest {

	private static final List<Normalization> POLICIES = Arrays.asList(Normalization.percentile(),
		Normalization.percentile(10, 20), Normalization.minMax(), Normalization.fixed(0, 255));

	/** normalise → model range [-1, 1] → (identity model) → inverse, as a task does. */
	private static FloatPlanes throughModelRange(FloatPlanes raw, Normalization n) {
		ValueMap map = n.fit(raw).onto(-1, 1);
		FloatPlanes model = map.forward(raw);
		return map.inverse(model);
	}

	@Test
	void eightBitRoundTripIsExact() {
		Random r = new Random(8);
		byte[] px = new byte[64 * 48];
		for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
		px[0] = 0;
		px[1] = (byte) 255;
		ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(px, 64, 48);
		for (Normalization n : POLICIES) {
			ArrayImg<UnsignedByteType, ByteArray> out = ArrayImgs.unsignedBytes(64, 48);
			ImageTensors.write(throughModelRange(ImageTensors.read(img), n), out);
			assertArrayEquals(px, out.update(null).getCurrentStorageArray(), "8-bit round trip with " + n);
		}
	}

	@Test
	void sixteenBitRoundTripIsExact() {
		Random r = new Random(16);
		short[] px = new short[64 * 48];
		for (int i = 0; i < px.length; i++) px[i] = (short) (r.nextBoolean() ? r.nextInt(65536) : 1000 + r.nextInt(50));
		px[0] = 0;
		px[1] = (short) 65535;
		ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(px, 64, 48);
		for (Normalization n : POLICIES) {
			ArrayImg<UnsignedShortType, ShortArray> out = ArrayImgs.unsignedShorts(64, 48);
			ImageTensors.write(throughModelRange(ImageTensors.read(img), n), out);
			assertArrayEquals(px, out.update(null).getCurrentStorageArray(), "16-bit round trip with " + n);
		}
	}

	@Test
	void sixteenBitRoundTripIsExactForANarrowPercentileWindow() {
		// a tight window (span 1) makes the far values map far outside [-1, 1]: still exact
		short[] px = new short[1000];
		for (int i = 0; i < px.length; i++) px[i] = (short) (i < 990 ? 1000 + (i & 1) : 65535 - i);
		px[999] = 0;
		ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(px, 1000, 1);
		FloatPlanes raw = ImageTensors.read(img);
		ValueMap map = Normalization.percentile(5, 95).fit(raw);
		assertEquals(1000, map.lo(), 1e-9);
		assertEquals(1001, map.hi(), 1e-9);
		ArrayImg<UnsignedShortType, ShortArray> out = ArrayImgs.unsignedShorts(1000, 1);
		ImageTensors.write(throughModelRange(raw, Normalization.percentile(5, 95)), out);
		assertArrayEquals(px, out.update(null).getCurrentStorageArray());
	}

	@Test
	void floatRoundTripWithinFloatPrecision() {
		Random r = new Random(32);
		float[] px = new float[100 * 30];
		for (int i = 0; i < px.length; i++) px[i] = (float) (r.nextGaussian() * 1e3 + 50);
		px[3] = -1e5f;
		px[4] = 1e-7f;
		ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(px, 100, 30);
		for (Normalization n : Arrays.asList(Normalization.percentile(), Normalization.minMax())) {
			FloatPlanes raw = ImageTensors.read(img);
			ValueMap map = n.fit(raw);
			FloatPlanes back = throughModelRange(raw, n);
			ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(100, 30);
			ImageTensors.write(back, out);
			float[] o = out.update(null).getCurrentStorageArray();
			double span = map.hi() - map.lo();
			for (int i = 0; i < px.length; i++) {
				double tol = 1e-6 * Math.max(Math.abs(px[i]), span);
				assertEquals(px[i], o[i], tol, "pixel " + i + " with " + n + " (tolerance 1e-6 of max(|x|, hi - lo))");
			}
		}
	}

	@Test
	void percentileMatchesNumpyLinearDefinition() {
		// np.percentile(np.arange(1000), [0.1, 99.9]) == [0.999, 998.001]
		float[] v = new float[1000];
		for (int i = 0; i < v.length; i++) v[i] = i;
		shuffle(v, new Random(1));
		ValueMap map = Normalization.percentile().fit(v);
		assertEquals(0.999, map.lo(), 1e-9);
		assertEquals(998.001, map.hi(), 1e-9);
		assertEquals(0, Normalization.percentile(0, 100).fit(v).lo(), 0);
		assertEquals(999, Normalization.percentile(0, 100).fit(v).hi(), 0);

		// np.percentile([1, 2, 2, 2, 3, 10], [25, 90]) == [2.0, 6.5]
		ValueMap m2 = Normalization.percentile(25, 90).fit(new float[] { 10, 2, 1, 2, 3, 2 });
		assertEquals(2.0, m2.lo(), 1e-12);
		assertEquals(6.5, m2.hi(), 1e-12);
	}

	@Test
	void percentileOfAGaussianSampleIsNearItsQuantiles() {
		Random r = new Random(7);
		float[] v = new float[400_000];
		for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 2 + 5);
		// Φ(±1.959964) = 0.025 / 0.975: the 2.5 and 97.5 percentiles of N(5, 2²) are 5 ∓ 3.919928
		ValueMap map = Normalization.percentile(2.5, 97.5).fit(v);
		assertEquals(5 - 3.919928, map.lo(), 0.03);
		assertEquals(5 + 3.919928, map.hi(), 0.03);
	}

	@Test
	void selectionAgreesWithSortingOnTiedValues() {
		Random r = new Random(11);
		for (int trial = 0; trial < 50; trial++) {
			float[] v = new float[1 + r.nextInt(300)];
			for (int i = 0; i < v.length; i++) v[i] = r.nextInt(6);
			float[] sorted = v.clone();
			Arrays.sort(sorted);
			double pct = r.nextDouble() * 100;
			double rank = pct / 100 * (v.length - 1);
			int k = (int) Math.floor(rank);
			double expected = k + 1 < v.length ? sorted[k] + (rank - k) * (sorted[k + 1] - sorted[k]) : sorted[k];
			assertEquals(expected, Percentiles.of(v.clone(), pct), 1e-6, "percentile " + pct + " of " + v.length + " values");
		}
	}

	@Test
	void nanIsIgnoredWhenFitting() {
		float[] v = { Float.NaN, 1, 5, Float.NaN, 3 };
		ValueMap map = Normalization.minMax().fit(v);
		assertEquals(1, map.lo());
		assertEquals(5, map.hi());
		assertEquals(3, Normalization.percentile(0, 50).fit(v).hi(), 1e-12, "median of 1, 3, 5 without the NaNs (with them sorted last it would be 5)");
	}

	@Test
	void constantImageDoesNotDivideByZeroAndRoundTrips() {
		float[] v = new float[100];
		Arrays.fill(v, 37f);
		FloatPlanes p = new FloatPlanes(1, 10, 10, v);
		for (Normalization n : Arrays.asList(Normalization.percentile(), Normalization.minMax())) {
			ValueMap map = n.fit(p).onto(-1, 1);
			FloatPlanes model = map.forward(p);
			for (float m : model.data()) assertEquals(0f, m, "a constant maps to the middle of the model range with " + n);
			assertArrayEquals(v, map.inverse(model).data(), "and back exactly");
		}
	}

	@Test
	void coincidingPercentilesFallBackToMinMax() {
		// 99.9 % background at 100, a few bright spots: the 0.1/99.9 percentiles are both 100
		float[] v = new float[10_000];
		Arrays.fill(v, 100f);
		v[17] = 4000f;
		v[5000] = 3000f;
		ValueMap map = Normalization.percentile().fit(v);
		assertEquals(100, map.lo());
		assertEquals(4000, map.hi());
	}

	@Test
	void valuesOutsideThePercentileRangeAreNotClipped() {
		float[] v = new float[1000];
		for (int i = 0; i < v.length; i++) v[i] = i;
		ValueMap map = Normalization.percentile(10, 90).fit(v).onto(-1, 1);
		assertTrue(map.forward(999) > 1, "the brightest pixel maps above 1");
		assertTrue(map.forward(0) < -1, "the darkest pixel maps below -1");
		assertEquals(999, map.inverse(map.forward(999)), 1e-9);
	}

	@Test
	void forwardIsTheDocumentedAffineMap() {
		ValueMap unit = ValueMap.unit(10, 30);
		assertEquals(0.25, unit.forward(15), 1e-15);
		assertEquals(15, unit.inverse(0.25), 1e-15);
		ValueMap m = unit.onto(-1, 1);
		assertEquals(-0.5, m.forward(15), 1e-15, "(15 − 10)/(30 − 10) = 0.25 → −1 + 0.25·2");
		assertEquals(10, m.inverse(-1), 1e-15);
		assertEquals(30, m.inverse(1), 1e-15);
	}

	@Test
	void defaultsPerBitDepthAndArgumentChecks() {
		assertTrue(Normalization.forBitDepth(8).toString().startsWith("fixed(0.0, 255.0), or percentile(0.1, 99.9)"));
		assertEquals(Normalization.forBitDepth(8).toString(), Normalization.forBitDepth(24).toString());
		assertEquals("percentile(0.1, 99.9)", Normalization.forBitDepth(16).toString());
		assertEquals("percentile(0.1, 99.9)", Normalization.forBitDepth(32).toString());
		assertThrows(IllegalArgumentException.class, () -> Normalization.forBitDepth(12));
		assertThrows(IllegalArgumentException.class, () -> Normalization.percentile(50, 40));
		assertThrows(IllegalArgumentException.class, () -> Normalization.fixed(3, 3));
	}

	@Test
	void perChannelFitUsesEachChannelsValues() {
		FloatPlanes p = new FloatPlanes(2, 1, 3, new float[] { 0, 1, 2, 100, 300, 200 });
		List<ValueMap> maps = Normalization.minMax().fitChannels(p);
		assertEquals(2, maps.size());
		assertEquals(2, maps.get(0).hi());
		assertEquals(100, maps.get(1).lo());
		assertEquals(300, maps.get(1).hi());
	}

	/**
	 * An 8-bit or RGB image: the type's range, unless it spans fewer than 48 levels (a dim acquisition), then its
	 * percentiles, one map for all channels so colours keep their balance; the map round-trips exactly either way.
	 */
	@Test
	void onlyDimEightBitImagesAreStretched() {
		Random r = new Random(5);
		float[] bright = new float[3 * 400], dim = new float[3 * 400];
		for (int i = 0; i < bright.length; i++) {
			bright[i] = 20 + r.nextInt(200);
			dim[i] = 3 + r.nextInt(i < 400 ? 20 : 30); // the first channel dimmer than the others
		}
		Normalization n = Normalization.forBitDepth(24);
		ValueMap full = n.fit(new FloatPlanes(3, 20, 20, bright));
		assertEquals(0, full.lo(), "a plane spanning 200 levels keeps the type's range");
		assertEquals(255, full.hi());
		FloatPlanes dimPlanes = new FloatPlanes(3, 20, 20, dim);
		List<ValueMap> maps = n.fitChannels(dimPlanes);
		assertEquals(3, maps.size());
		ValueMap joint = Normalization.percentile().fit(dimPlanes);
		for (ValueMap m : maps) {
			assertEquals(joint.lo(), m.lo(), "one map for all channels, from their percentiles together");
			assertEquals(joint.hi(), m.hi());
		}
		assertTrue(joint.hi() - joint.lo() < Normalization.DIM_SPAN);
		ValueMap toModel = maps.get(0).onto(-1, 1);
		for (float v : dim) assertEquals(v, Math.round(toModel.inverse(toModel.forward(v))), "round trip of " + v);
		float[] flat = new float[400];
		Arrays.fill(flat, 7);
		assertEquals(255.0, n.fit(new FloatPlanes(1, 20, 20, flat)).hi(), "a flat plane keeps the type's range");
	}

	private static void shuffle(float[] v, Random r) {
		for (int i = v.length - 1; i > 0; i--) {
			int j = r.nextInt(i + 1);
			float t = v[i];
			v[i] = v[j];
			v[j] = t;
		}
	}
}
