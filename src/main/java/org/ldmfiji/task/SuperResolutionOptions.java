package org.ldmfiji.task;

/**
 * What the user chooses for super-resolution, for the ImageJ job ({@code imagej.SuperResolveImage}, whose {@code Options}
 * extends this class) and the ImgLib2 API ({@link LatentDiffusion#superResolve}); the defaults are the options'
 * ({@link OptionTable}).
 */
public class SuperResolutionOptions {
	/** The sampler, seed and prompts; {@link OptionTable#SR_STEPS} steps by default. */
	public SamplingSettings sampling = SamplingSettings.defaults().withSteps(OptionTable.SR_STEPS.defaultInt());
	/**
	 * Samples averaged into the result, in one batch (default 8: an estimate of the posterior mean); more than one also
	 * gives their per-pixel standard deviation; 1 is a single sample (sharper, with invented detail).
	 */
	public int samples = OptionTable.SR_SAMPLES.defaultInt();
	/** The smooth consistency correction onto the input after decoding ({@link Consistency}). */
	public boolean consistency = OptionTable.CONSISTENCY.defaultFlag();
	/** Input tile side in pixels; 0: automatic ({@link SuperResolution#autoTile()}). */
	public int tile = OptionTable.TILE.defaultInt();
	/** Process every plane (the default); false refuses stacks, which have more than the current plane. */
	public boolean allPlanes = !OptionTable.CURRENT.defaultFlag();

	/** Every value within its option's range ({@link OptionTable}). */
	public void check() {
		OptionTable.SR_SAMPLES.check(samples);
		OptionTable.TILE.check(tile);
	}
}
