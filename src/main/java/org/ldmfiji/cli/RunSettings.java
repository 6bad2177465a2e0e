package org.ldmfiji.cli;

import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TorchRuntime;
import org.ldmfiji.task.Option;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;

/**
 * The options every running subcommand shares: --model, --steps, --sampler, --seed, --eta, --device, and for models
 * that take text --prompt, --negative and --guidance.
 */
final class RunSettings {

	final String model;
	final SamplingSettings sampling;
	final TorchRuntime.DevicePreference device;
	/** Whether --steps was given. */
	private final boolean stepsGiven;

	/** @param defaultSteps a subcommand's own default step count (bench), or 0 for the option table's */
	RunSettings(Options options, int defaultSteps) {
		model = options.text(OptionTable.MODEL);
		SamplingSettings.SamplerKind kind = SamplingSettings.SamplerKind.parse(options.choice(OptionTable.SAMPLER));
		stepsGiven = options.get(OptionTable.STEPS.key, null) != null;
		int steps = defaultSteps > 0 && !stepsGiven ? defaultSteps : options.integer(OptionTable.STEPS);
		sampling = new SamplingSettings(kind, steps, options.longValue(OptionTable.SEED), options.number(OptionTable.ETA))
			.withText(options.text(OptionTable.PROMPT), options.text(OptionTable.NEGATIVE_PROMPT),
				options.number(OptionTable.GUIDANCE));
		device = TorchRuntime.DevicePreference.parse(options.choice(OptionTable.DEVICE));
	}

	/** {@link #sampling} with {@code steps}' default where --steps was not given (super-resolution's own). */
	SamplingSettings sampling(Option steps) {
		return stepsGiven ? sampling : sampling.withSteps(steps.defaultInt());
	}

	ModelBundle openBundle() {
		return ModelBundle.cached(BundleLocator.standard().find(model), TorchRuntime.device(device));
	}
}
