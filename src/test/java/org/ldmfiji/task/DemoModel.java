package org.ldmfiji.task;

import org.ldmfiji.model.Bundles;
import org.ldmfiji.model.ModelBundle;

/**
 * The bundle at models/demo (surefire sets -Dldm.models), opened once per JVM for the tests. The tests assert
 * properties that hold for any model (sizes, types, bit-identity, determinism), never the quality of the weights.
 */
public final class DemoModel {

	private static ModelBundle bundle;

	private DemoModel() {}

	public static synchronized ModelBundle get() {
		if (bundle == null) {
			bundle = Bundles.open("demo");
		}
		return bundle;
	}

	/** Small, fast sampling settings for tests. */
	public static SamplingSettings fast(long seed) {
		return new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 4, seed, 0);
	}
}
