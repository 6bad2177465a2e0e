package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Window;

/**
 * Sampling an image from noise with the bundle's {@code unconditional} denoiser, conditioned by cross-attention
 * on a domain label with classifier-free guidance (Rombach et al. 2022, Sec. 3.3; Ho &amp; Salimans 2022).
 */
public final class UnconditionalSampling {

	public static final String TASK = "unconditional";

	private final ModelBundle bundle;
	private final SamplingSettings settings;

	public UnconditionalSampling(ModelBundle bundle, SamplingSettings settings) {
		this.bundle = bundle;
		this.settings = settings;
		bundle.manifest().denoiser(TASK);
	}

	/**
	 * @param label one of the manifest's labels (null: the null label)
	 * @param guidance the classifier-free guidance scale w (1: no guidance)
	 * @return C × height × width in the model's range
	 */
	public FloatPlanes run(int width, int height, String label, double guidance, StepListener listener) {
		Manifest m = bundle.manifest();
		Manifest.DenoiserSpec spec = m.denoiser(TASK);
		int f = m.autoencoder.factor;
		Window win = Window.covering(width, height, f * spec.latentMultiple);
		try (NDManager manager = NDManager.newBaseManager(bundle.device())) {
			Conditioning cond = new Conditioning();
			if (spec.context != null) {
				String nullLabel = spec.context.nullLabel;
				String chosen = label == null ? nullLabel : label;
				if (chosen == null) throw new IllegalArgumentException("choose a label: " + spec.context.labels);
				NDArray ctx = bundle.context(TASK, new int[] {spec.context.index(chosen)}, manager);
				NDArray nullCtx = nullLabel == null ? null
					: bundle.context(TASK, new int[] {spec.context.index(nullLabel)}, manager);
				cond.context(ctx, nullCtx, guidance);
			}
			Shape latent = new Shape(1, m.autoencoder.latentChannels, win.height / f, win.width / f);
			NDArray z0 = LatentSampling.sample(bundle, TASK, cond, latent, settings, listener, manager);
			return SuperResolution.crop(FloatPlanes.of(bundle.decode(z0)), height, width);
		}
	}
}
