package org.ldmfiji.diffusion;

/** Progress of a sampling loop; throwing {@link java.util.concurrent.CancellationException} stops it. */
@FunctionalInterface
public interface StepListener {

	StepListener NONE = (done, total) -> {};

	/** Called after step {@code done} (1-based) of {@code total}. */
	void stepDone(int done, int total);

	/**
	 * Throws {@link java.util.concurrent.CancellationException} if the run was asked to stop: called by the stages
	 * between steps that take seconds (an inpainting window's first guess). Never, unless overridden.
	 */
	default void checkCancelled() {}
}
