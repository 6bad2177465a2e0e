package org.ldmfiji.task;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.NoData;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Super-resolution of one plane's channels in the source's values, whatever holds the pixels (an ImagePlus in
 * {@code imagej.SuperResolveImage}, an ImgLib2 image in {@link ImgSuperResolution}): each channel is normalised on its own
 * values into the model's range, mapped to the model's channels ({@link ChannelMapping}), super-resolved, and mapped
 * back, so the result is in the source's values. NaN pixels are no data ({@link NoData}): filled for the model, NaN
 * again on their blocks of the result. An integer source's values stand for means known to a level: the model sees,
 * and the result is consistent with, the smoothest means within that level ({@link Dequantisation}), and where the
 * source is smooth at that scale the result keeps none of the model's detail ({@link SpreadShrinkage}).
 */
public final class PlaneSuperResolution {

	private final SuperResolution sr;
	private final Manifest manifest;
	private final SuperResolutionOptions options;
	private final Normalization norm;
	private final double[] typeRange;
	private final RoundedStorage rounding;

	/**
	 * @param typeRange the min and max the result's type stores (an integer type), or null (float): the default result
	 *                  is made consistent within it ({@link StorableRange})
	 */
	public PlaneSuperResolution(SuperResolution sr, Manifest manifest, SuperResolutionOptions options, Normalization norm,
		double[] typeRange)
	{
		this.sr = sr;
		this.manifest = manifest;
		this.options = options;
		this.norm = norm;
		this.typeRange = typeRange == null ? null : typeRange.clone();
		this.rounding = RoundedStorage.of(typeRange, sr.factor());
	}

	/**
	 * How a result is stored in its type: for an integer type rounded, its block borders smoothed first where the
	 * rounding would leave a grid ({@link RoundedStorage}); for a float type as it is.
	 */
	public UnaryOperator<FloatPlanes> storage() {
		return rounding == null ? UnaryOperator.identity() : rounding::apply;
	}

	/** Denoising steps of one plane of {@code channels} channels (the tiles are fused at every step). */
	public long steps(int channels) {
		return (long) ChannelMapping.of(channels, manifest.imageChannels).batchSize(channels)
			* options.sampling.stepsOn(manifest.schedule);
	}

	/**
	 * @param px C × H × W raw values
	 * @param done steps already reported of {@code total}; this plane reports {@link #steps} more
	 * @return per sample C × fH × fW in the source's values
	 */
	public List<FloatPlanes> run(FloatPlanes px, Progress progress, long done, long total) {
		return run(px, fit(px), sr, progress, done, total);
	}

	/** Each channel's map from its values (this job's normalisation), to be given to the model's range. */
	public List<ValueMap> fit(FloatPlanes px) {
		return norm.fitChannels(px);
	}

	/**
	 * The same with the channels' maps given (fitted on a larger image of which {@code px} is a window, so that all
	 * windows agree on brightness) and the super-resolution given (a window's own seed).
	 */
	public List<FloatPlanes> run(FloatPlanes px, List<ValueMap> maps, SuperResolution sr, Progress progress, long done,
		long total)
	{
		Manifest m = manifest;
		int c = px.channels();
		ChannelMapping mapping = ChannelMapping.of(c, m.imageChannels);
		NoData noData = NoData.of(px);
		FloatPlanes x = noData == null ? px.copy() : noData.filled(px);
		List<ValueMap> toModel = new ArrayList<>();
		for (int k = 0; k < c; k++) toModel.add(maps.get(k).onto(m.imageRange[0], m.imageRange[1]));
		for (int k = 0; k < c; k++) map(x, k, toModel.get(k), true);
		FloatPlanes smooth = typeRange == null ? null : Dequantisation.ofType(x, toModel, typeRange, m.imageRange);
		StorableRange storable = StorableRange.of(typeRange, toModel);
		List<FloatPlanes> items = mapping.toModel(x, m.imageChannels);
		// the bounds follow the channels as the pixels do (C × 1 × 1 images through the same mapping)
		List<FloatPlanes> lower = mapping.toModel(storable.lower(), m.imageChannels);
		List<FloatPlanes> upper = mapping.toModel(storable.upper(), m.imageChannels);
		List<FloatPlanes> smoothItems = smooth == null ? null : mapping.toModel(smooth, m.imageChannels);
		List<List<FloatPlanes>> perItem = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			perItem.add(sr.run(items.get(i), options.samples, options.tile, options.consistency,
				StorableRange.of(lower.get(i), upper.get(i)), smoothItems == null ? null : smoothItems.get(i),
				progress.steps(done, total)));
			done += options.sampling.stepsOn(m.schedule);
		}
		List<FloatPlanes> samples = new ArrayList<>();
		for (int s = 0; s < options.samples; s++) {
			List<FloatPlanes> results = new ArrayList<>();
			for (List<FloatPlanes> p : perItem) results.add(p.get(s));
			FloatPlanes y = mapping.fromModel(results, c);
			for (int k = 0; k < c; k++) map(y, k, toModel.get(k), false);
			if (noData != null) noData.blank(y, sr.factor());
			samples.add(y);
		}
		return samples;
	}

	private static void map(FloatPlanes x, int k, ValueMap map, boolean forward) {
		float[] d = x.data();
		for (int i = k * x.planeSize(); i < (k + 1) * x.planeSize(); i++)
			d[i] = (float) (forward ? map.forward(d[i]) : map.inverse(d[i]));
	}
}
