package org.ldmfiji.command;

import ij.ImagePlus;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.imagej.SampleImage;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.util.concurrent.CancellationException;

/**
 * Plugins &gt; Latent Diffusion &gt; LDM Large Image Sampling...: a new image of any size sampled with the model's
 * label-conditioned denoiser ({@link SampleImage}). Recorded as
 * {@code run("LDM Large Image Sampling...", "width=1024 height=1024 label=fluorescence guidance=3 ...")}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Latent Diffusion>LDM Large Image Sampling...")
public class LargeImageSamplingCommand extends LdmCommand {

	@Parameter(label = "Width (px)", min = "1", max = "131072")
	private int width = OptionTable.WIDTH.defaultInt();

	@Parameter(label = "Height (px)", min = "1", max = "131072")
	private int height = OptionTable.HEIGHT.defaultInt();

	@Parameter(label = "Label", required = false, description = "Domain label of the model (e.g. fluorescence, phase, "
		+ "histology); empty: the model's first")
	private String label = OptionTable.LABEL.defaultText();

	@Parameter(label = "Guidance", min = "0", max = "30", description = "Classifier-free guidance scale (1: none)")
	private double guidance = OptionTable.GUIDANCE.defaultNumber();

	@Parameter(label = "Tile (px, 0 = auto)", min = "0", max = "65536")
	private int tile = OptionTable.TILE.defaultInt();

	@Parameter(label = "Overlap (px, 0 = auto)", min = "0", max = "65536")
	private int overlap = OptionTable.OVERLAP.defaultInt();

	@Parameter(label = "Grid", choices = {"fixed", "torus", "shifting"}, description = "fixed: a grid that stays in "
		+ "place; torus: tiles on a torus whose grid shifts every step; shifting: no overlap, shifting")
	private String grid = OptionTable.GRID.defaultText();

	@Parameter(label = "Type", choices = {"8-bit", "16-bit", "32-bit"})
	private String type = OptionTable.TYPE.defaultText();

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	@Override
	public void run() {
		CommandProgress progress = new CommandProgress(status, this, "LDM Large Image Sampling");
		try {
			SampleImage.Options o = new SampleImage.Options();
			o.sampling = sampling();
			o.width = width;
			o.height = height;
			o.label = label;
			o.guidance = guidance;
			o.tile = tile;
			o.overlap = overlap;
			o.grid = grid;
			o.type(type);
			try (ModelBundle bundle = openModel()) {
				result = SampleImage.run(bundle, o, progress);
			}
		}
		catch (CancellationException e) {
			cancel(e.getMessage());
		}
		catch (IllegalArgumentException | IllegalStateException | BundleException e) {
			cancel("LDM Large Image Sampling: " + e.getMessage());
		}
		finally {
			progress.done();
		}
	}

	@Override
	double guidance() {
		return guidance;
	}
}
