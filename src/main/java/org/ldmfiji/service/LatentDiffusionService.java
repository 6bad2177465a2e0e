package org.ldmfiji.service;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;

import org.ldmfiji.task.InpaintOptions;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.SampleOptions;
import org.ldmfiji.task.SuperResolutionOptions;
import org.scijava.service.SciJavaService;

/**
 * Latent diffusion on ImgLib2 images for scripts and plugins, as they reach {@code OpService} or
 * {@code DatasetService}: {@code #@ LatentDiffusionService ldm}, then {@code ldm.inpaint(img, mask)},
 * {@code ldm.superResolve(img)}, {@code ldm.sample(target)}. Models are named as in the commands (a name in the
 * models folders, or a folder path); each is opened once and kept open until the context is disposed. Images are
 * X, Y and an optional channel axis with any min ({@link LatentDiffusion}); options default to the option table's
 * values.
 */
public interface LatentDiffusionService extends SciJavaService {

	/** The model the methods without a model name use. */
	String DEFAULT_MODEL = "demo";

	/** The tasks over the named model, opened on first use and cached for the context's lifetime. */
	LatentDiffusion model(String nameOrPath);

	<T extends RealType<T> & NativeType<T>> Img<T> inpaint(RandomAccessibleInterval<T> image,
		RandomAccessibleInterval<? extends BooleanType<?>> mask, String model, InpaintOptions options);

	<T extends RealType<T> & NativeType<T>> Img<T> superResolve(RandomAccessibleInterval<T> image, String model,
		SuperResolutionOptions options);

	<T extends RealType<T>> RandomAccessibleInterval<T> sample(RandomAccessibleInterval<T> target, String model,
		SampleOptions options);

	/** Inpainting with the default model and options. */
	default <T extends RealType<T> & NativeType<T>> Img<T> inpaint(RandomAccessibleInterval<T> image,
		RandomAccessibleInterval<? extends BooleanType<?>> mask)
	{
		return inpaint(image, mask, DEFAULT_MODEL, inpaintOptions());
	}

	/** Super-resolution with the default model and options. */
	default <T extends RealType<T> & NativeType<T>> Img<T> superResolve(RandomAccessibleInterval<T> image) {
		return superResolve(image, DEFAULT_MODEL, superResolutionOptions());
	}

	/** Sampling into the target with the default model and options. */
	default <T extends RealType<T>> RandomAccessibleInterval<T> sample(RandomAccessibleInterval<T> target) {
		return sample(target, DEFAULT_MODEL, sampleOptions());
	}

	/** New inpainting options with the option table's defaults (for scripts that cannot import). */
	default InpaintOptions inpaintOptions() {
		return new InpaintOptions();
	}

	/** New super-resolution options with the option table's defaults. */
	default SuperResolutionOptions superResolutionOptions() {
		return new SuperResolutionOptions();
	}

	/** New sampling options with the option table's defaults. */
	default SampleOptions sampleOptions() {
		return new SampleOptions();
	}
}
