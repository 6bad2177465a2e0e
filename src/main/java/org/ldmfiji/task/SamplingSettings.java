package org.ldmfiji.task;

import org.ldmfiji.diffusion.Ddim;
import org.ldmfiji.diffusion.DpmSolverPP2M;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.NoiseSchedule;
import org.ldmfiji.diffusion.Sampler;

import java.util.Locale;

/**
 * The sampler, its step count, eta and the seed, and for a model that takes text the prompt, the negative prompt and
 * the guidance scale of inpainting and super-resolution: what fixes a run's result together with the model.
 */
public final class SamplingSettings {

	/** The samplers a user can choose. */
	public enum SamplerKind {
		DDIM("ddim"), DPMPP2M("dpmpp2m");

		public final String id;

		SamplerKind(String id) {
			this.id = id;
		}

		public static SamplerKind parse(String s) {
			for (SamplerKind k : values()) if (k.id.equalsIgnoreCase(s.trim()) || k.name().equalsIgnoreCase(s.trim())) return k;
			throw new IllegalArgumentException("unknown sampler '" + s + "': use ddim or dpmpp2m");
		}
	}

	public final SamplerKind sampler;
	/** The requested step count; a run's real count is {@link #stepsOn}. */
	public final int steps;
	public final long seed;
	/** DDIM's eta (0: deterministic DDIM; 1: DDPM-like); ignored by DPM-Solver++. */
	public final double eta;
	/** The text prompt for a model that takes text (empty: the empty prompt); must be empty for other models. */
	public final String prompt;
	/** The unconditional context's prompt for classifier-free guidance; empty: the model's null_prompt. */
	public final String negativePrompt;
	/**
	 * The classifier-free guidance scale of text-conditioned inpainting and super-resolution (sampling takes its own,
	 * {@link SampleOptions#guidance}).
	 */
	public final double guidance;

	public SamplingSettings(SamplerKind sampler, int steps, long seed, double eta) {
		this(sampler, steps, seed, eta, OptionTable.PROMPT.defaultText(), OptionTable.NEGATIVE_PROMPT.defaultText(),
			OptionTable.GUIDANCE.defaultNumber());
	}

	private SamplingSettings(SamplerKind sampler, int steps, long seed, double eta, String prompt, String negativePrompt,
		double guidance)
	{
		this.sampler = sampler;
		this.steps = OptionTable.STEPS.checkInt(steps);
		this.seed = OptionTable.SEED.checkLong(seed);
		this.eta = OptionTable.ETA.check(eta);
		this.prompt = OptionTable.checkPrompt(OptionTable.PROMPT, prompt);
		this.negativePrompt = OptionTable.checkPrompt(OptionTable.NEGATIVE_PROMPT, negativePrompt);
		this.guidance = OptionTable.GUIDANCE.check(guidance);
	}

	/** These settings with a text prompt, a negative prompt (empty: the model's null prompt) and a guidance scale. */
	public SamplingSettings withText(String prompt, String negativePrompt, double guidance) {
		return new SamplingSettings(sampler, steps, seed, eta, prompt == null ? "" : prompt,
			negativePrompt == null ? "" : negativePrompt, guidance);
	}

	/** These settings with another seed (one block of a blockwise run, {@link BlockwiseSuperResolution#seed}). */
	public SamplingSettings withSeed(long seed) {
		return new SamplingSettings(sampler, steps, seed, eta, prompt, negativePrompt, guidance);
	}

	/** These settings with another number of steps (super-resolution's default, {@link OptionTable#SR_STEPS}). */
	public SamplingSettings withSteps(int steps) {
		return new SamplingSettings(sampler, steps, seed, eta, prompt, negativePrompt, guidance);
	}

	/** The options' defaults ({@link OptionTable}): DPM-Solver++(2M), 20 steps, seed 0. */
	public static SamplingSettings defaults() {
		return new SamplingSettings(SamplerKind.parse(OptionTable.SAMPLER.defaultText()), OptionTable.STEPS.defaultInt(),
			OptionTable.SEED.defaultLong(), OptionTable.ETA.defaultNumber());
	}

	/** A fresh sampler that draws its step noise (if any) from {@code noise}. */
	public Sampler newSampler(GaussianNoise noise) {
		return newSampler(noise, Integer.MAX_VALUE);
	}

	/** A fresh sampler that visits only the timesteps up to {@code maxTimestep} (a run from a first guess). */
	public Sampler newSampler(GaussianNoise noise, int maxTimestep) {
		return sampler == SamplerKind.DDIM ? new Ddim(steps, eta, noise, maxTimestep)
			: new DpmSolverPP2M(steps, maxTimestep);
	}

	/**
	 * The steps (model evaluations per latent) a run on {@code schedule} takes: the sampler's timesteps up to
	 * {@code maxTimestep}. Not always {@link #steps}: CompVis's DDIM spacing can add one (7 of 1000 give 8), Karras
	 * spacing drops repeated timesteps, and a run from a first guess visits only part of the list.
	 */
	public int stepsOn(NoiseSchedule schedule, int maxTimestep) {
		return newSampler(new GaussianNoise(seed), maxTimestep).timesteps(schedule).length;
	}

	/** {@link #stepsOn(NoiseSchedule, int)} of a run over the whole schedule. */
	public int stepsOn(NoiseSchedule schedule) {
		return stepsOn(schedule, Integer.MAX_VALUE);
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "sampler=%s steps=%d seed=%d%s%s", sampler.id, steps, seed,
			sampler == SamplerKind.DDIM ? " eta=" + eta : "", textToString());
	}

	/** The prompts as provenance records them (nothing when both are empty, as for models without text). */
	private String textToString() {
		if (prompt.isEmpty() && negativePrompt.isEmpty()) return "";
		return String.format(Locale.ROOT, " prompt=%s negative_prompt=%s guidance=%s", quoted(prompt),
			quoted(negativePrompt), guidance);
	}

	/** A prompt in double quotes with backslash, quote and line breaks escaped, so that provenance stays one line. */
	static String quoted(String s) {
		return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
	}
}
