package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The native memory of one sampling run (STYLE.md, "own every native resource"). The loop owns a
 * sub-manager of the input's manager for the state carried between steps (the latent, a multistep
 * solver's history); each step opens a {@link Step}, a sub-manager of the loop whose arrays die with
 * the step except those it {@link Step#keep keeps}. Closing the loop (also on an exception, e.g. a
 * cancellation) frees whatever state is left. The caller's input is never closed or modified.
 */
final class SamplingLoop implements AutoCloseable {

	private final NDArray input;
	private final NDManager home;
	private final NDManager loop;

	SamplingLoop(NDArray input) {
		this.input = input;
		this.home = input.getManager();
		this.loop = home.newSubManager();
	}

	Step step() {
		return new Step();
	}

	/** Hands the result to the caller: attached to the manager of the input. */
	NDArray finish(NDArray result) {
		if (result != input) result.attach(home);
		return result;
	}

	@Override
	public void close() {
		loop.close();
	}

	/** One step's scope. */
	final class Step implements AutoCloseable {

		private final NDManager step = loop.newSubManager();

		/**
		 * Brings an array into the step, so that what is computed from it lands here too (DJL
		 * attaches results to the manager of the first operand). The caller's input is only lent
		 * (tempAttach: it returns, unchanged, to its manager when the step ends); loop state from an
		 * earlier step, or a model output attached elsewhere, moves here and dies with this step.
		 * Null stays null.
		 */
		NDArray enter(NDArray a) {
			if (a == null || a.getManager() == step) return a;
			if (a == input) a.tempAttach(step);
			else a.attach(step);
			return a;
		}

		NDManager manager() {
			return step;
		}

		/** Moves a result of this step up to the loop, where the next step can {@link #enter} it. */
		NDArray keep(NDArray a) {
			a.attach(loop);
			return a;
		}

		@Override
		public void close() {
			step.close();
		}
	}
}
