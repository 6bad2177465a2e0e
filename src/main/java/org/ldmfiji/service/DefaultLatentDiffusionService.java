package org.ldmfiji.service;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Bundles;
import org.ldmfiji.task.InpaintOptions;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.SampleOptions;
import org.ldmfiji.task.SuperResolutionOptions;
import org.scijava.app.StatusService;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@link LatentDiffusionService}: bundles opened through {@link org.ldmfiji.model.Bundles#open} once per model name and
 * closed when the context is disposed; progress goes to the status bar where there is one. Thread-safe: a model is
 * opened once however many threads ask for it, and each model runs one task at a time ({@link LatentDiffusion}).
 */
@Plugin(type = Service.class)
public class DefaultLatentDiffusionService extends AbstractService implements LatentDiffusionService {

	@Parameter(required = false)
	private StatusService status;

	private final Map<String, LatentDiffusion> models = new ConcurrentHashMap<>();
	private final Function<String, ModelBundle> opener;
	private volatile boolean disposed;

	public DefaultLatentDiffusionService() {
		this(Bundles::open);
	}

	/** With another way of opening bundles (tests). */
	DefaultLatentDiffusionService(Function<String, ModelBundle> opener) {
		this.opener = opener;
	}

	@Override
	public LatentDiffusion model(String nameOrPath) {
		String name = nameOrPath == null || nameOrPath.isBlank() ? DEFAULT_MODEL : nameOrPath.trim();
		if (disposed) throw new IllegalStateException("the LatentDiffusionService was disposed with its context: use a "
			+ "service of a live context");
		return models.computeIfAbsent(name, n -> new LatentDiffusion(opener.apply(n)));
	}

	@Override
	public <T extends RealType<T> & NativeType<T>> Img<T> inpaint(RandomAccessibleInterval<T> image,
		RandomAccessibleInterval<? extends BooleanType<?>> mask, String model, InpaintOptions options)
	{
		return model(model).inpaint(image, mask, options, progress());
	}

	@Override
	public <T extends RealType<T> & NativeType<T>> Img<T> superResolve(RandomAccessibleInterval<T> image, String model,
		SuperResolutionOptions options)
	{
		return model(model).superResolve(image, options, progress());
	}

	@Override
	public <T extends RealType<T>> RandomAccessibleInterval<T> sample(RandomAccessibleInterval<T> target, String model,
		SampleOptions options)
	{
		return model(model).sample(target, options, progress());
	}

	@Override
	public void dispose() {
		disposed = true;
		for (LatentDiffusion ld : models.values()) ld.bundle().close();
		models.clear();
	}

	private Progress progress() {
		StatusService s = status;
		if (s == null) return Progress.NONE;
		return new Progress() {
			@Override
			public void status(String message) {
				s.showStatus(message);
			}

			@Override
			public void progress(long done, long total) {
				s.showProgress((int) Math.min(Integer.MAX_VALUE, done), (int) Math.min(Integer.MAX_VALUE, total));
			}
		};
	}
}
