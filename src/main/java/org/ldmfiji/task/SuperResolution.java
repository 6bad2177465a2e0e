package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.Manifest.InputSpec;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Window;

import java.util.ArrayList;
import java.util.List;

/**
 * LDM super-resolution (Rombach et al. 2022, Sec. 4.4): the low-resolution image, at the latent grid's size, is
 * concatenated with z_t; the denoised latent decodes to an image f times larger. The input is padded by mirroring
 * to the latent multiple and the output cropped back, so any size gives exactly f× the input.
 */
public final class SuperResolution {

	public static final String TASK = "superres";

	private final ModelBundle bundle;
	private final SamplingSettings settings;

	public SuperResolution(ModelBundle bundle, SamplingSettings settings) {
		this.bundle = bundle;
		this.settings = settings;
		bundle.manifest().denoiser(TASK);
	}

	/** The scale factor: the autoencoder's f, since the latent has the low-resolution image's size. */
	public int factor() {
		return bundle.manifest().autoencoder.factor;
	}

	/**
	 * @param low C × H × W in the model's range
	 * @param consistency back-project so that the result, area-downsampled by f, reproduces {@code low}
	 * @return C × fH × fW in the model's range
	 */
	public FloatPlanes run(FloatPlanes low, boolean consistency, StepListener listener) {
		return run(low, 1, 0, consistency, listener).get(0);
	}

	/**
	 * Super-resolves {@code low} into {@code samples} independent results.
	 *
	 * @param low C × H × W in the model's range, C the model's image channels
	 * @param tile side of the input tiles in pixels (0: {@link #autoTile()}); an image that fits one tile is one window
	 * @param consistency back-project each result so that, area-downsampled by f, it reproduces {@code low}
	 * @param listener reports steps {@code 1 ... tileCount·steps}
	 * @return per sample C × fH × fW in the model's range
	 */
	public List<FloatPlanes> run(FloatPlanes low, int samples, int tile, boolean consistency, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		if (low.width() < minSide() || low.height() < minSide()) throw new IllegalArgumentException("the image is "
			+ low.width() + "x" + low.height() + " px; model '" + m.name + "' super-resolves images of at least "
			+ minSide() + "x" + minSide() + " px (its latent_multiple)");
		if (samples < 1) throw new IllegalArgumentException("samples must be at least 1, got " + samples);
		int t = tile <= 0 ? autoTile() : tile;
		if (t % spec.latentMultiple != 0 || t < 2 * spec.latentMultiple) throw new IllegalArgumentException("tile size "
			+ t + " must be a multiple of " + spec.latentMultiple + " (model '" + m.name + "''s latent_multiple) and at least "
			+ 2 * spec.latentMultiple);
		List<FloatPlanes> high = low.width() <= t && low.height() <= t ? window(low, samples, settings, listener)
			: tiled(low, samples, t, listener);
		if (consistency) for (FloatPlanes x : high) Consistency.enforce(x, low, m.autoencoder.factor);
		return high;
	}

	/** The smallest input side: one latent_multiple (the latent has the input's size). */
	public int minSide() {
		return bundle.manifest().denoiser(TASK).latentMultiple;
	}

	/**
	 * The default input tile: twice the native latent size (CompVis's SR notebook tiles its 64-wide native latent
	 * with 128-wide windows), a multiple of latent_multiple.
	 */
	public int autoTile() {
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(TASK);
		int t = 2 * spec.nativeSize / bundle.manifest().autoencoder.factor;
		return Math.max(2 * spec.latentMultiple, t / spec.latentMultiple * spec.latentMultiple);
	}

	/** Number of sampling runs (tiles) for a W × H input with the given tile side (0: automatic). */
	public int tileCount(int width, int height, int tile) {
		int t = tile <= 0 ? autoTile() : tile;
		if (width <= t && height <= t) return 1;
		return starts(width, t).length * starts(height, t).length;
	}

	/** One window over the whole (mirror-padded) input: the denoiser runs on the full latent. */
	private List<FloatPlanes> window(FloatPlanes low, int samples, SamplingSettings run, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor;
		Window win = Window.covering(low.width(), low.height(), spec.latentMultiple);
		FloatPlanes padded = win.extract(low);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			for (InputSpec in : spec.inputs) {
				if (in.name.equals(InputSpec.LOW_RES_IMAGE)) {
					if (in.channels != low.channels()) throw new IllegalArgumentException("the '" + TASK + "' denoiser of model '"
						+ m.name + "' takes a " + in.channels + "-channel low-resolution image, got " + low.channels());
					cond.input(in.name, mapped(padded, m.imageRange, in.range).toNDArray(manager));
				}
				else if (!in.name.equals(InputSpec.NOISY_LATENT)) throw new IllegalArgumentException("the '" + TASK
					+ "' denoiser of model '" + m.name + "' takes an input '" + in.name + "' that super-resolution cannot give");
			}
			Shape latent = new Shape(samples, m.autoencoder.latentChannels, win.height, win.width);
			NDArray z0 = LatentSampling.sample(bundle, TASK, cond, latent, run, listener, manager);
			List<FloatPlanes> out = new ArrayList<>(samples);
			for (FloatPlanes x : FloatPlanes.listOf(bundle.decode(z0))) out.add(crop(x, low.height() * f, low.width() * f));
			return out;
		}
	}

	/**
	 * LARGE-IMAGE HOOK: inputs larger than one tile. Until the tiled large-image engine (tiling/,
	 * task/LargeImageSampling: per-step fusion of the tiles' model outputs in latent space) is connected here, the
	 * input is cut into overlapping tiles (a quarter of the tile side), each tile is super-resolved on its own (its
	 * own seed: seed + tile index) and the outputs are blended in pixel space with weights that ramp linearly from the
	 * tile border across the overlap (1 at the image border), normalised by their sum.
	 */
	private List<FloatPlanes> tiled(FloatPlanes low, int samples, int tile, StepListener listener) {
		int f = bundle.manifest().autoencoder.factor, c = low.channels();
		int overlap = Math.max(minSide(), tile / 4 / minSide() * minSide());
		int[] xs = starts(low.width(), tile), ys = starts(low.height(), tile);
		int n = xs.length * ys.length, hw = low.width() * f, hh = low.height() * f;
		List<FloatPlanes> sum = new ArrayList<>();
		for (int s = 0; s < samples; s++) sum.add(FloatPlanes.zeros(c, hh, hw));
		float[] weights = new float[hw * hh];
		int index = 0;
		for (int ty : ys)
			for (int tx : xs) {
				int tw = Math.min(tile, low.width()), th = Math.min(tile, low.height());
				FloatPlanes part = FloatPlanes.zeros(c, th, tw);
				for (int k = 0; k < c; k++)
					for (int y = 0; y < th; y++)
						for (int x = 0; x < tw; x++) part.set(k, y, x, low.get(k, ty + y, tx + x));
				int done = index * settings.steps, total = n * settings.steps;
				SamplingSettings own = new SamplingSettings(settings.sampler, settings.steps, settings.seed + index, settings.eta);
				List<FloatPlanes> high = window(part, samples, own, (d, t) -> listener.stepDone(done + d, total));
				for (int y = 0; y < th * f; y++) {
					float wy = ramp(y, th * f, ty > 0, ty + th < low.height(), overlap * f);
					for (int x = 0; x < tw * f; x++) {
						float wgt = wy * ramp(x, tw * f, tx > 0, tx + tw < low.width(), overlap * f);
						int gy = ty * f + y, gx = tx * f + x;
						weights[gy * hw + gx] += wgt;
						for (int s = 0; s < samples; s++)
							for (int k = 0; k < c; k++) sum.get(s).set(k, gy, gx, sum.get(s).get(k, gy, gx) + wgt * high.get(s).get(k, y, x));
					}
				}
				index++;
			}
		for (FloatPlanes x : sum) {
			float[] d = x.data();
			for (int i = 0; i < d.length; i++) d[i] /= weights[i % weights.length];
		}
		return sum;
	}

	/** Tile origins covering [0, size) with tiles of side {@code tile} overlapping by at least a quarter. */
	static int[] starts(int size, int tile) {
		if (size <= tile) return new int[] {0};
		int stride = Math.max(1, tile - tile / 4);
		int n = (int) Math.ceil((size - tile) / (double) stride) + 1;
		int[] out = new int[n];
		for (int i = 0; i < n; i++) out[i] = (int) Math.round(i * (size - tile) / (double) (n - 1));
		return out;
	}

	/** Blend weight at position i of a tile of side n: ramps over {@code ramp} pixels at borders inside the image. */
	private static float ramp(int i, int n, boolean rampLow, boolean rampHigh, int ramp) {
		float w = 1;
		if (rampLow) w = Math.min(w, (i + 0.5f) / ramp);
		if (rampHigh) w = Math.min(w, (n - i - 0.5f) / ramp);
		return Math.max(1e-3f, Math.min(1, w));
	}

	/** Linear map of values from the image range to an input's declared range (identity when equal or absent). */
	private static FloatPlanes mapped(FloatPlanes x, double[] from, double[] to) {
		if (to == null || (to[0] == from[0] && to[1] == from[1])) return x;
		FloatPlanes out = x.copy();
		float[] d = out.data();
		double scale = (to[1] - to[0]) / (from[1] - from[0]);
		for (int i = 0; i < d.length; i++) d[i] = (float) (to[0] + (d[i] - from[0]) * scale);
		return out;
	}

	static FloatPlanes crop(FloatPlanes x, int h, int w) {
		if (x.height() == h && x.width() == w) return x;
		FloatPlanes out = FloatPlanes.zeros(x.channels(), h, w);
		for (int c = 0; c < x.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++) out.set(c, y, i, x.get(c, y, i));
		return out;
	}
}
