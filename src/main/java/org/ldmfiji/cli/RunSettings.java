package org.ldmfiji.cli;

import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.TorchRuntime;
import org.ldmfiji.task.SamplingSettings;

/** The options every running subcommand shares: --model, --steps, --sampler, --seed, --eta, --device. */
final class RunSettings {

	final String model;
	final SamplingSettings sampling;
	final TorchRuntime.DevicePreference device;

	RunSettings(Options options, int defaultSteps) {
		model = options.get("model", BundleLocator.DEFAULT_MODEL);
		SamplingSettings.SamplerKind kind = SamplingSettings.SamplerKind.parse(options.get("sampler", "ddim"));
		int steps = options.integer("steps", defaultSteps > 0 ? defaultSteps : SamplingSettings.defaultSteps(kind), 1, 1000);
		sampling = new SamplingSettings(kind, steps, options.longValue("seed", 0), options.number("eta", 0));
		device = TorchRuntime.DevicePreference.parse(options.get("device", "auto"));
	}

	ModelBundle openBundle() {
		return ModelBundle.open(BundleLocator.standard().find(model), TorchRuntime.device(device));
	}
}
