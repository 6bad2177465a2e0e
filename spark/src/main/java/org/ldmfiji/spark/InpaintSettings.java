package org.ldmfiji.spark;

import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;

import java.io.Serializable;
import java.util.Locale;

/**
 * The inpainting options of a run as they travel to the executors: what {@code ./ldm inpaint} reads from its command
 * line (sampler, steps, seed, eta, grow, feather, context, strength, seam; the option table's defaults and ranges),
 * one sample per plane.
 */
final class InpaintSettings implements Serializable {
	private static final long serialVersionUID = 1L;

	final String sampler;
	final int steps;
	final long seed;
	final double eta;
	final int grow, feather, context;
	final double strength;
	final String seam;

	InpaintSettings(String sampler, int steps, long seed, double eta, int grow, int feather, int context, double strength,
		String seam)
	{
		this.sampler = sampler;
		this.steps = steps;
		this.seed = seed;
		this.eta = eta;
		this.grow = grow;
		this.feather = feather;
		this.context = context;
		this.strength = strength;
		this.seam = seam;
		options(); // checks every value against the option table on the driver
	}

	/** The same settings with another step count (calibration) or seed (blocks of a sampled image). */
	InpaintSettings with(int withSteps, long withSeed) {
		return new InpaintSettings(sampler, withSteps, withSeed, eta, grow, feather, context, strength, seam);
	}

	/**
	 * The options as {@code ./ldm inpaint} builds them: its sampling settings (with the option table's empty prompt and
	 * default guidance, as its RunSettings does), one sample, every (slice, frame) position of the image given.
	 */
	InpaintImage.Options options() {
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(OptionTable.SAMPLER.choice(sampler)),
			OptionTable.STEPS.checkInt(steps), OptionTable.SEED.checkLong(seed), OptionTable.ETA.check(eta))
			.withText(OptionTable.PROMPT.defaultText(), OptionTable.NEGATIVE_PROMPT.defaultText(),
				OptionTable.GUIDANCE.defaultNumber());
		o.samples = 1;
		o.grow = grow;
		o.feather = feather;
		o.context = context;
		o.strength = strength;
		o.seam(seam);
		o.allPlanes = true;
		o.check();
		return o;
	}

	@Override
	public String toString() {
		return options().sampling + String.format(Locale.ROOT, " grow=%d feather=%d context=%d strength=%s seam=%s", grow,
			feather, context, strength, seam);
	}
}
