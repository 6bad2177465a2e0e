package org.ldmfiji.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.ldmfiji.task.InpaintOptions;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.SampleOptions;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.task.SuperResolutionOptions;
import org.scijava.Context;
import org.scijava.script.ScriptService;

/** The service as a script reaches it: through a SciJava context, by the name a script parameter gives. */
class LatentDiffusionServiceTest {

	private static SamplingSettings fast() {
		return new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 4, 7, 0);
	}

	@Test
	void aScriptRunsTheThreeTasksThroughTheServiceOnOneCachedBundle() throws Exception {
		Context context = new Context(LatentDiffusionService.class, ScriptService.class);
		try {
			// what `#@ LatentDiffusionService ldm` resolves to
			Class<?> type = context.service(ScriptService.class).lookupClass("LatentDiffusionService");
			assertSame(LatentDiffusionService.class, type, "the script parameter's type");
			LatentDiffusionService ldm = (LatentDiffusionService) context.service(type.asSubclass(
				org.scijava.service.Service.class));

			Img<FloatType> img = ArrayImgs.floats(64, 48);
			int i = 0;
			for (FloatType t : img) t.set((float) Math.sin(i++ * 0.37) * 50 + 200);
			Img<BitType> mask = ArrayImgs.bits(64, 48);
			for (BitType b : Views.interval(mask, Intervals.createMinSize(20, 16, 10, 8))) b.set(true);
			InpaintOptions io = ldm.inpaintOptions();
			io.sampling = fast();
			Img<FloatType> filled = ldm.inpaint(Views.translate(img, 10, 20), Views.translate(mask, 10, 20), "demo", io);
			assertArrayEquals(new long[] {10, 20, 73, 67}, bounds(filled), "the source's interval");
			assertNotEquals(img.getAt(25, 20).get(), filled.getAt(35, 40).get(), "the masked pixel was filled");
			assertEquals(img.getAt(0, 0).get(), filled.getAt(10, 20).get(), "an unmasked pixel is kept");
			LatentDiffusion model = ldm.model("demo");

			SuperResolutionOptions so = ldm.superResolutionOptions();
			so.sampling = fast();
			Img<FloatType> big = ldm.superResolve(Views.translate(Views.interval(img, Intervals.createMinSize(0, 0, 16, 12)),
				1, 2), "demo", so);
			assertArrayEquals(new long[] {4, 8, 67, 55}, bounds(big), "4x the source's min and size");

			SampleOptions sa = ldm.sampleOptions();
			sa.sampling = fast();
			Img<UnsignedShortType> target = new CellImgFactory<>(new UnsignedShortType(), 32).create(48, 40);
			assertSame(target, ldm.sample(target, "demo", sa));
			long nonZero = 0;
			for (UnsignedShortType t : target) if (t.get() != 0) nonZero++;
			assertTrue(nonZero > 48 * 40 / 2, "the sample was written into the target: " + nonZero + " non-zero pixels");

			assertSame(model, ldm.model("demo"), "the second and third calls reuse the bundle opened by the first");
			assertSame(model.bundle(), ldm.model(" demo ").bundle());
		}
		finally {
			context.dispose();
		}
	}

	@Test
	void disposingTheContextClosesTheBundlesAndRefusesNewCalls() {
		int[] opened = {0};
		DefaultLatentDiffusionService s = new DefaultLatentDiffusionService(name -> {
			opened[0]++;
			return org.ldmfiji.model.Bundles.open(name);
		});
		LatentDiffusion a = s.model("demo");
		assertSame(a, s.model("demo"));
		assertEquals(1, opened[0], "one open per model");
		s.dispose();
		IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.model("demo"));
		assertTrue(e.getMessage().contains("disposed"), e.getMessage());
	}

	private static long[] bounds(net.imglib2.Interval i) {
		return new long[] {i.min(0), i.min(1), i.max(0), i.max(1)};
	}
}
