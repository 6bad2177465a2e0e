package org.ldmfiji.task;

import org.ldmfiji.model.Manifest;
import org.ldmfiji.tiling.TileSettings;

/**
 * What the user chooses for large-image sampling, for the ImageJ job ({@code imagej.SampleImage}, whose {@code Options}
 * extends this class) and the ImgLib2 API ({@link LatentDiffusion#sample}, where the target gives size and type);
 * the defaults are the options' ({@link OptionTable}).
 */
public class SampleOptions {
	public SamplingSettings sampling = SamplingSettings.defaults();
	public int width = OptionTable.WIDTH.defaultInt(), height = OptionTable.HEIGHT.defaultInt();
	/** One of the manifest's labels; null or blank: the model's first label that is not its null label. */
	public String label = OptionTable.LABEL.defaultText();
	public double guidance = OptionTable.GUIDANCE.defaultNumber();
	/** 8, 16 or 32. */
	public int bitDepth = Integer.parseInt(OptionTable.TYPE.defaultText().replace("-bit", ""));
	/** Latent tile side and overlap in pixels for the tiled engine (0: automatic). */
	public int tile = OptionTable.TILE.defaultInt(), overlap = OptionTable.OVERLAP.defaultInt();
	/** The denoiser's tile grid: one of {@link TileSettings#GRIDS} (torus, fixed, shifting). */
	public String grid = OptionTable.GRID.defaultText();
	/** Tiles per forward (0: automatic). */
	public int batch = OptionTable.BATCH.defaultInt();

	/** Sets {@link #bitDepth} from the type option's choice (8-bit, 16-bit, 32-bit). */
	public SampleOptions type(String choice) {
		bitDepth = Integer.parseInt(OptionTable.TYPE.choice(choice).replace("-bit", ""));
		return this;
	}

	/** Guidance and tiles within their options' ranges (size and type are the caller's: options or target). */
	public void checkSampling() {
		OptionTable.GUIDANCE.check(guidance);
		OptionTable.TILE.check(tile);
		OptionTable.OVERLAP.check(overlap);
		OptionTable.GRID.choice(grid);
	}

	/** The label a run uses ({@link LargeImageSampling#labelOrDefault}), refused when the model does not have it. */
	public String label(Manifest m) {
		Manifest.DenoiserSpec spec = m.denoiser(LargeImageSampling.TASK);
		if (spec.context != null && spec.context.takesText()) {
			if (label != null && !label.isBlank()) throw new IllegalArgumentException("model '" + m.name + "' takes a "
				+ "text prompt, not a label: leave 'label' empty and give the text as 'prompt'");
			return null;
		}
		String chosen = LargeImageSampling.labelOrDefault(spec, label);
		if (spec.context != null && chosen != null && !spec.context.labels.contains(chosen))
			throw new IllegalArgumentException("model '" + m.name + "' has no label '" + chosen + "': choose one of "
				+ spec.context.labels);
		return chosen;
	}

	/**
	 * The tile layout of the chosen {@link #grid}, with the grid's own tile, overlap and batch where those are 0
	 * (automatic). A tile given for the torus is its largest stride, for the shifting grid its largest tile (both fitted
	 * to the latent); for the fixed grid it is taken as it is, with half of it as the overlap unless one is given.
	 */
	public TileSettings tiles(Manifest m) {
		TileSettings base = TileSettings.grid(m, LargeImageSampling.TASK, OptionTable.GRID.choice(grid));
		int b = OptionTable.BATCH.checkInt(batch);
		if (tile <= 0) return base.withFittedTile(base.tile, overlap > 0 ? overlap : base.overlap).withBatch(b);
		if (base.shift) return base.withFittedTile(tile, overlap > 0 ? overlap : base.overlap).withBatch(b);
		int o = overlap > 0 ? overlap : TileSettings.defaultOverlap(tile, m.autoencoder.factor);
		return base.withTile(tile, o).withBatch(b);
	}
}
