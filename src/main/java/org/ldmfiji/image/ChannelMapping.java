package org.ldmfiji.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How an image's channels meet a model's channels ({@code image.channels} in the manifest):
 * <ul>
 * <li>{@link #IDENTITY}: same count; the image is one batch item.</li>
 * <li>{@link #REPLICATE}: a grey image on a C-channel model (e.g. RGB): the plane is copied to every
 * model channel; back, the model's channels are averaged.</li>
 * <li>{@link #PER_CHANNEL}: a C-channel image (RGB, multi-channel fluorescence) on a one-channel
 * model: each channel becomes its own batch item of one channel; back, the items are stacked.</li>
 * </ul>
 * Any other pair of counts is refused by {@link #of(int, int)}.
 */
public enum ChannelMapping {

	IDENTITY, REPLICATE, PER_CHANNEL;

	/**
	 * The mapping for an image with {@code imageChannels} on a model with {@code modelChannels}.
	 *
	 * @throws IllegalArgumentException for counts that cannot be mapped (e.g. 2 on 3), naming both
	 */
	public static ChannelMapping of(int imageChannels, int modelChannels) {
		if (imageChannels < 1 || modelChannels < 1) {
			throw new IllegalArgumentException("channel counts must be positive, got image " + imageChannels
				+ ", model " + modelChannels);
		}
		if (imageChannels == modelChannels) return IDENTITY;
		if (imageChannels == 1) return REPLICATE;
		if (modelChannels == 1) return PER_CHANNEL;
		throw new IllegalArgumentException("a " + imageChannels + "-channel image cannot be fed to a "
			+ modelChannels + "-channel model: use an image with 1 or " + modelChannels
			+ " channels (e.g. Image > Color > Split Channels, or Image > Type > RGB Color), or a model for "
			+ imageChannels + "-channel images");
	}

	/** Number of model batch items for an image with {@code imageChannels}. */
	public int batchSize(int imageChannels) {
		return this == PER_CHANNEL ? imageChannels : 1;
	}

	/**
	 * Image → model: the batch items, each with the model's channel count.
	 *
	 * @param modelChannels the model's {@code image.channels}
	 */
	public List<FloatPlanes> toModel(FloatPlanes image, int modelChannels) {
		requireApplies(image.channels(), modelChannels);
		switch (this) {
			case IDENTITY:
				return Collections.singletonList(image);
			case REPLICATE: {
				List<FloatPlanes> copies = Collections.nCopies(modelChannels, image);
				return Collections.singletonList(FloatPlanes.concatChannels(copies));
			}
			default: {
				List<FloatPlanes> items = new ArrayList<>(image.channels());
				for (int c = 0; c < image.channels(); c++) items.add(image.channel(c));
				return items;
			}
		}
	}

	/**
	 * Model → image: merges the model's batch items back into one image with {@code imageChannels}
	 * (the inverse of {@link #toModel}; REPLICATE takes the mean over the model's channels).
	 */
	public FloatPlanes fromModel(List<FloatPlanes> items, int imageChannels) {
		if (items.isEmpty()) throw new IllegalArgumentException("no model outputs to merge");
		int modelChannels = items.get(0).channels();
		requireApplies(imageChannels, modelChannels);
		int expected = batchSize(imageChannels);
		if (items.size() != expected) {
			throw new IllegalArgumentException(this + " for a " + imageChannels + "-channel image expects "
				+ expected + " model output(s), got " + items.size());
		}
		switch (this) {
			case IDENTITY:
				return items.get(0);
			case REPLICATE: {
				FloatPlanes m = items.get(0);
				int n = m.planeSize();
				float[] src = m.data(), mean = new float[n];
				for (int i = 0; i < n; i++) {
					double s = 0;
					for (int c = 0; c < modelChannels; c++) s += src[c * n + i];
					mean[i] = (float) (s / modelChannels);
				}
				return new FloatPlanes(1, m.height(), m.width(), mean);
			}
			default:
				for (FloatPlanes p : items) {
					if (p.channels() != 1) {
						throw new IllegalArgumentException("PER_CHANNEL expects one-channel model outputs, got " + p.channels());
					}
				}
				return FloatPlanes.concatChannels(items);
		}
	}

	private void requireApplies(int imageChannels, int modelChannels) {
		ChannelMapping right = of(imageChannels, modelChannels);
		if (right != this) {
			throw new IllegalArgumentException(this + " does not map a " + imageChannels + "-channel image to a "
				+ modelChannels + "-channel model; use " + right);
		}
	}
}
