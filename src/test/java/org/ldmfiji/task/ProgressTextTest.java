package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A progress line tells when the job ends: the time left at the rate of the steps so far. */
class ProgressTextTest {

	@Test
	void theTimeLeftIsTheStepsSoFarCarriedOverToTheRest() {
		// 5 of 60 steps in 208 s: 55 more at 41.6 s each, 38 min
		assertEquals("superres: step 5 of 60 (8%), 3 min 28 s, about 38 min left",
			ProgressText.steps("superres", 5, 60, 208));
		assertEquals("inpaint: step 3 of 12 (25%), 1.5 s, about 4.5 s left", ProgressText.steps("inpaint", 3, 12, 1.5));
		assertEquals("superres: step 1 of 480 (0%), 41.0 s, about 5 h 27 min left",
			ProgressText.steps("superres", 1, 480, 41));
	}

	@Test
	void noTimeLeftBeforeTheFirstStepNorAfterTheLast() {
		assertEquals("sample: step 0 of 20 (0%), 0.2 s", ProgressText.steps("sample", 0, 20, 0.2));
		assertEquals("sample: step 20 of 20 (100%), 12 min", ProgressText.steps("sample", 20, 20, 720));
	}
}
