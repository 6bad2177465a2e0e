package org.ldmfiji.task;

import org.ldmfiji.diffusion.StepListener;

import java.util.concurrent.CancellationException;

/**
 * Where an image job reports what it does and how far it is, and where it learns that the user cancelled: the
 * ImageJ status bar (with Esc), SciJava's StatusService (with {@code Cancelable}), the CLI's terminal. Both methods
 * may throw {@link CancellationException}; a job throws it on before writing any output, so a cancelled job leaves
 * the source untouched and produces nothing.
 */
public interface Progress {

	Progress NONE = new Progress() {
		@Override
		public void status(String message) {}

		@Override
		public void progress(long done, long total) {}
	};

	/** A one-line description of the current stage. */
	void status(String message);

	/** {@code done} of {@code total} work units (denoising steps) are finished. */
	void progress(long done, long total);

	/**
	 * A step listener for one sampling run that reports its steps as units {@code offset + 1 ... offset + steps}
	 * of {@code total}, and passes {@link #checkCancelled} on.
	 */
	default StepListener steps(long offset, long total) {
		return new StepListener() {
			@Override
			public void stepDone(int done, int steps) {
				progress(offset + done, total);
			}

			@Override
			public void checkCancelled() {
				Progress.this.checkCancelled();
			}
		};
	}

	/** Throws {@link CancellationException} if the user asked to stop (implementations that can tell override it). */
	default void checkCancelled() throws CancellationException {}
}
