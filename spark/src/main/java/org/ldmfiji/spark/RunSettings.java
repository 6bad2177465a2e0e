package org.ldmfiji.spark;

import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;
import org.ldmfiji.task.SuperResolutionOptions;

import java.io.Serializable;

/** The sampling options of a run, as they travel to the executors (the option table's defaults and ranges). */
final class RunSettings implements Serializable {
	private static final long serialVersionUID = 1L;

	final String sampler;
	final int steps;
	final long seed;
	final double eta;
	final int tile;
	final boolean consistency;
	/** Samples averaged into each result (the posterior-mean estimate {@code ./ldm superres} computes by default). */
	final int samples;

	RunSettings(String sampler, int steps, long seed, double eta, int tile, boolean consistency, int samples) {
		this.sampler = sampler;
		this.steps = steps;
		this.seed = seed;
		this.eta = eta;
		this.tile = tile;
		this.consistency = consistency;
		this.samples = samples;
		options(seed); // checks every value against the option table on the driver
	}

	static RunSettings defaults() {
		return new RunSettings(OptionTable.SAMPLER.defaultText(), OptionTable.SR_STEPS.defaultInt(), OptionTable.SEED.defaultLong(),
			OptionTable.ETA.defaultNumber(), OptionTable.TILE.defaultInt(), OptionTable.CONSISTENCY.defaultFlag(),
			OptionTable.SR_SAMPLES.defaultInt());
	}

	RunSettings with(int steps) {
		return new RunSettings(sampler, steps, seed, eta, tile, consistency, samples);
	}

	/** The task options with the given seed. */
	SuperResolutionOptions options(long withSeed) {
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(sampler), steps, withSeed, eta);
		o.tile = tile;
		o.consistency = consistency;
		o.samples = samples;
		o.check();
		return o;
	}

	SamplingSettings sampling(long withSeed) {
		return options(withSeed).sampling;
	}

	@Override
	public String toString() {
		return sampling(seed) + " samples=" + samples + " tile=" + (tile <= 0 ? "auto" : tile) + " consistency="
			+ (consistency ? "on" : "off");
	}
}
