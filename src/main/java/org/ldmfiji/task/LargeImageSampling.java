package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.NoiseSchedule;
import org.ldmfiji.diffusion.Sampler;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.diffusion.Timesteps;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.MemoryEstimate;
import org.ldmfiji.tiling.TileGrid;
import org.ldmfiji.tiling.TileSettings;
import org.ldmfiji.tiling.TiledAutoencoder;
import org.ldmfiji.tiling.TiledDenoiser;
import org.ldmfiji.tiling.TiledSampler;
import org.ldmfiji.tiling.Window;


import java.util.List;
import java.util.function.BiConsumer;

/**
 * Sampling images of any size with the bundle's label-conditioned {@code unconditional} denoiser, run
 * convolutionally (Rombach et al. 2022, Sec. 4.3.2): x_T for the whole latent from the seed, at every step the
 * ε̂ of overlapping tiles fused with normalised windows ({@link TiledDenoiser}, run by the engine {@link TiledSampler}),
 * one sampler step on the whole latent, then a tiled decode ({@link TiledAutoencoder}). Memory beyond the latent and the output is that of
 * one tile batch; {@link #estimate} says how much, and {@link #run} refuses up front when it would not fit.
 * <p>
 * {@link #sampleLatent} is the same engine for any task's conditioned denoiser (super-resolution and inpainting of
 * large regions): give it the full-latent conditioning and it slices the inputs per tile.
 */
public final class LargeImageSampling {

	public static final String TASK = "unconditional";

	private final ModelBundle bundle;
	private final SamplingSettings settings;
	private final TileSettings tiles;

	/** @param tiles the tile layout; {@link TileSettings#defaults} for the model's native size */
	public LargeImageSampling(ModelBundle bundle, SamplingSettings settings, TileSettings tiles) {
		this.bundle = bundle;
		this.settings = settings;
		this.tiles = tiles;
		tiles.check(bundle.manifest(), TASK);
	}

	/**
	 * @param label one of the manifest's labels (null: the null label)
	 * @param guidance the classifier-free guidance scale w (1: no guidance)
	 * @return C × height × width in the model's range
	 */
	public FloatPlanes run(int width, int height, String label, double guidance, StepListener listener) {
		Shape latent = latentShape(width, height);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, label, guidance, settings, manager);
			TiledSampler engine = new TiledSampler(bundle, TASK, tiles).resolved(cond, latent, width, height, manager);
			NDArray z0 = sampleLatent(engine, cond, latent, settings, null, 1, listener, manager);
			return TiledAutoencoder.of(bundle, engine.settings()).decode(z0, width, height).get(0);
		}
	}

	/**
	 * The same run with the image handed over block by block: after sampling, each block (an interval of the
	 * width × height image, min ≥ 0) is decoded on its own from the tiles that reach it ({@link
	 * TiledAutoencoder#decodeRegion}, the values of the whole decode) and given to {@code sink} as C × block in the
	 * model's range, so the image never exists as one array.
	 */
	public void run(int width, int height, String label, double guidance, List<Window> blocks,
		BiConsumer<Window, FloatPlanes> sink, StepListener listener)
	{
		Shape latent = latentShape(width, height);
		for (Window b : blocks)
			if (b.x < 0 || b.y < 0 || b.x + (long) b.width > width || b.y + (long) b.height > height)
				throw new IllegalArgumentException("block " + b + " lies outside the " + width + "x" + height + " image");
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, label, guidance, settings, manager);
			TiledSampler engine = new TiledSampler(bundle, TASK, tiles).resolved(cond, latent, width, height, manager);
			NDArray z0 = sampleLatent(engine, cond, latent, settings, null, 1, listener, manager);
			TiledAutoencoder decoder = TiledAutoencoder.of(bundle, engine.settings());
			for (Window b : blocks) sink.accept(b, decoder.decodeRegion(z0, 0, b.x, b.y, b.width, b.height));
		}
	}

	/** The latent of a width × height image, padded to the denoiser's grid (f · latent_multiple pixels). */
	private Shape latentShape(int width, int height) {
		Manifest m = bundle.manifest();
		int f = m.autoencoder.factor;
		Window win = Window.covering(width, height, f * m.denoiser(TASK).latentMultiple);
		return new Shape(1, m.autoencoder.latentChannels, win.height / f, win.width / f);
	}

	/** The estimate {@link #run} checks before it starts (measures one tile's activations where it can). */
	public MemoryEstimate estimate(int width, int height, double guidance) {
		Shape latent = latentShape(width, height);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = labelConditioning(bundle, null, guidance, settings, manager);
			return new TiledSampler(bundle, TASK, tiles).estimate(cond, latent, width, height, manager);
		}
	}

	/**
	 * The reverse process over a latent of any size with {@code task}'s denoiser run in tiles.
	 *
	 * @param conditioning the full-latent conditioning (inputs [1 or N x C_i x h x w], sliced per tile)
	 * @param latentShape [N x c x h x w]; h and w multiples of the denoiser's latent_multiple
	 * @param tiles tile size and overlap in pixels (the latent tile is tile / f); a batch of 0 is automatic without a
	 *        memory check ({@link TiledSampler#denoiser}), use {@link #resolve} to check
	 * @return z_0, attached to {@code manager}
	 */
	public static NDArray sampleLatent(ModelBundle bundle, String task, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, TileSettings tiles, StepListener listener, NDManager manager)
	{
		return sampleLatent(bundle, task, conditioning, latentShape, settings, tiles, null, 1, listener, manager);
	}

	/**
	 * The same, started from a first guess (SDEdit, Meng et al. 2022, Sec. 3): {@code guess} diffused to the first
	 * timestep t0 at or below strength·T, x_t0 = √ᾱ_t0·guess + √(1 − ᾱ_t0)·ε (DDPM eq. 4, ε the seed's initial
	 * noise), then only the sampler's timesteps from t0 on (a slice of its list). Strength 1 with no guess is the
	 * plain run above.
	 *
	 * @param guess the first guess's latent [1 or N x c x h x w] (scaled like the denoiser's latents), or null
	 * @param strength in (0, 1]: the share of the schedule that is run from the guess
	 */
	public static NDArray sampleLatent(ModelBundle bundle, String task, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, TileSettings tiles, NDArray guess, double strength, StepListener listener,
		NDManager manager)
	{
		return sampleLatent(new TiledSampler(bundle, task, tiles), conditioning, latentShape, settings, guess, strength,
			listener, manager);
	}

	/** {@link #sampleLatent(ModelBundle, String, Conditioning, Shape, SamplingSettings, TileSettings, NDArray, double,
	 * StepListener, NDManager)} with the engine given. */
	public static NDArray sampleLatent(TiledSampler engine, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, NDArray guess, double strength, StepListener listener, NDManager manager)
	{
		NoiseSchedule schedule = engine.bundle().manifest().schedule;
		GaussianNoise noise = new GaussianNoise(settings.seed);
		Sampler sampler = settings.newSampler(noise);
		int[] ts = Timesteps.upTo(sampler.timesteps(schedule), maxTimestep(strength, schedule.timesteps(), guess != null));
		try (NDArray xT = noise.initialNoise(manager, latentShape)) {
			if (guess == null) return engine.sample(sampler, ts, conditioning, xT, listener);
			double a = schedule.alphaBar(ts[0]);
			try (NDArray scaledGuess = guess.mul((float) Math.sqrt(a)); NDArray start = xT.mul((float) Math.sqrt(1 - a))) {
				return engine.sample(sampler, ts, conditioning, start.addi(scaledGuess), listener);
			}
		}
	}

	/** The last timestep a run of {@code strength} may start at: strength·T, rounded. */
	public static int maxTimestep(double strength, int timesteps, boolean hasGuess) {
		if (!(strength > 0 && strength <= 1)) throw new IllegalArgumentException("strength must be in (0, 1], got "
			+ strength + ": 1 samples from pure noise, smaller values stay closer to the first guess");
		if (strength < 1 && !hasGuess) throw new IllegalArgumentException("strength " + strength + " needs a first guess "
			+ "to start from");
		return strength == 1 ? Integer.MAX_VALUE : (int) Math.round(strength * timesteps);
	}

	/** The grid of denoiser tiles over a latent [N x c x h x w] ({@link TiledSampler#grid}). */
	public static TileGrid latentGrid(Manifest m, String task, Shape latentShape, TileSettings tiles) {
		return TiledSampler.grid(m, task, latentShape, tiles);
	}

	/**
	 * Estimates the memory of a tiled run, refuses when it would not fit, and fixes an automatic batch size: the
	 * settings to run with ({@link TiledSampler#resolved}).
	 */
	public static TileSettings resolve(ModelBundle bundle, String task, Conditioning cond, Shape latentShape, int width,
		int height, TileSettings tiles, NDManager manager)
	{
		return new TiledSampler(bundle, task, tiles).resolved(cond, latentShape, width, height, manager).settings();
	}

	/** The memory estimate of a tiled run ({@link TiledSampler#estimate}). */
	public static MemoryEstimate estimate(ModelBundle bundle, String task, Conditioning cond, Shape latentShape, int width,
		int height, TileSettings tiles, NDManager manager)
	{
		return new TiledSampler(bundle, task, tiles).estimate(cond, latentShape, width, height, manager);
	}

	/**
	 * The label a run uses: {@code label} itself, or for null or blank the model's first label that is not its null
	 * label (the default of {@link OptionTable#LABEL}); null for a model without labels.
	 */
	public static String labelOrDefault(Manifest.DenoiserSpec spec, String label) {
		if (label != null && !label.isBlank()) return label.trim();
		if (spec.context == null) return null;
		return spec.context.labels.stream().filter(l -> !l.equals(spec.context.nullLabel)).findFirst().orElse(null);
	}

	/** {@link #labelConditioning(ModelBundle, String, double, SamplingSettings, NDManager)} without a prompt. */
	public static Conditioning labelConditioning(ModelBundle bundle, String label, double guidance, NDManager manager) {
		return labelConditioning(bundle, label, guidance, new SamplingSettings(SamplingSettings.SamplerKind.DDIM, 1, 0, 0),
			manager);
	}

	/**
	 * The context of {@code label} (null: the null label) and the null context, for classifier-free guidance; for a
	 * model that takes text, the context of the settings' prompt and negative prompt ({@link TextConditioning}).
	 */
	public static Conditioning labelConditioning(ModelBundle bundle, String label, double guidance, SamplingSettings settings,
		NDManager manager)
	{
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(TASK);
		Conditioning cond = new Conditioning();
		if (spec.context == null || spec.context.takesText())
			return TextConditioning.add(cond, bundle, TASK, settings, guidance, manager);
		String nullLabel = spec.context.nullLabel;
		String chosen = label == null ? nullLabel : label;
		if (chosen == null) throw new IllegalArgumentException("choose a label: " + spec.context.labels);
		NDArray ctx = bundle.context(TASK, new int[] {spec.context.index(chosen)}, manager);
		NDArray nullCtx = nullLabel == null ? null : bundle.context(TASK, new int[] {spec.context.index(nullLabel)}, manager);
		return cond.context(ctx, nullCtx, guidance);
	}
}
