package org.ldmfiji.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;

import org.ldmfiji.task.DemoModel;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.task.TestImages;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The progress total is the steps the sampler really takes, not the requested count: DDIM with 7 steps of
 * T = 1000 takes CompVis's ceil(1000 / (1000 // 7)) = 8 (it reported "step 8 of 7 (110%)").
 */
class ProgressTotalTest {

	private static final SamplingSettings DDIM_7 = new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 7, 3, 0);

	@Test
	void samplingReportsTheStepsItTakes() {
		SampleImage.Options o = new SampleImage.Options();
		o.width = 32;
		o.height = 32;
		o.sampling = DDIM_7;
		Recorder r = new Recorder();
		SampleImage.run(DemoModel.get(), o, r);
		r.assertEndsAtItsTotal(8, "sampling");
	}

	@Test
	void superResolutionReportsTheStepsItTakes() {
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = DDIM_7;
		o.samples = 1;
		Recorder r = new Recorder();
		SuperResolveImage.run(DemoModel.get(), TestImages.image("im", 8, 12, 12, 1), o, r);
		r.assertEndsAtItsTotal(8, "super-resolution");
	}

	/**
	 * The default seam fills each window twice (once more with the hole moved, to weigh the model's detail), and the
	 * total counts both runs: twice the steps of a fill without the weighing, ending at 100 %.
	 */
	@Test
	void inpaintingReportsBothOfItsRuns() {
		ImagePlus image = TestImages.image("im", 8, 64, 64, 1);
		boolean[] mask = TestImages.rect(64, 64, 24, 26, 14, 12);
		Recorder once = new Recorder(), twice = new Recorder();
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = DDIM_7;
		InpaintImage.run(DemoModel.get(), image, mask, o, twice);
		o.seam("harmonize");
		InpaintImage.run(DemoModel.get(), image, mask, o, once);
		long steps = once.calls.get(once.calls.size() - 1)[1];
		assertTrue(steps > 0, "a fill without the weighing reports its steps");
		twice.assertEndsAtItsTotal(2 * steps, "inpainting");
	}

	private static final class Recorder implements Progress {
		final List<long[]> calls = new ArrayList<>();

		@Override
		public void status(String message) {}

		@Override
		public void progress(long done, long total) {
			calls.add(new long[] {done, total});
		}

		void assertEndsAtItsTotal(long steps, String what) {
			assertEquals(steps, calls.size(), what + ": one report per step");
			for (long[] c : calls) {
				assertTrue(c[0] <= c[1], what + ": step " + c[0] + " of " + c[1] + " is past the total");
			}
			long[] last = calls.get(calls.size() - 1);
			assertEquals(last[0], last[1], what + ": the last step reported must be the total (100%)");
			assertEquals(steps, last[1], what + ": the steps the sampler takes (DDIM with 7 steps of T = 1000 takes 8)");
		}
	}
}
