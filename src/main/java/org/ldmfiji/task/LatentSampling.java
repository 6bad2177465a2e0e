package org.ldmfiji.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.GaussianNoise;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

/** The reverse process in latent space for one task: x_T from the seed, the bundle's denoiser, the chosen sampler. */
final class LatentSampling {

	private LatentSampling() {}

	/**
	 * @param latentShape [N x c x h x w]
	 * @return z_0, attached to {@code manager}
	 */
	static NDArray sample(ModelBundle bundle, String task, Conditioning conditioning, Shape latentShape,
		SamplingSettings settings, StepListener listener, NDManager manager)
	{
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(task);
		ModelDenoiser denoiser = new ModelDenoiser(bundle.denoiser(task), spec, bundle.manifest().schedule, conditioning);
		GaussianNoise noise = new GaussianNoise(settings.seed);
		try (NDArray xT = noise.initialNoise(manager, latentShape)) {
			return settings.newSampler(noise).sample(denoiser, xT, bundle.manifest().schedule, listener);
		}
	}
}
