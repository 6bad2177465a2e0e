package org.ldmfiji.command;

import ij.ImagePlus;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.SampleImage;
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

	@Parameter(label = "Width (px)", min = "1")
	private int width = 512;

	@Parameter(label = "Height (px)", min = "1")
	private int height = 512;

	@Parameter(label = "Label", description = "Domain label of the model (e.g. fluorescence, phase, histology)")
	private String label = "fluorescence";

	@Parameter(label = "Guidance", min = "0", description = "Classifier-free guidance scale (1: none)")
	private double guidance = 3;

	@Parameter(label = "Tile (px, 0 = auto)", min = "0")
	private int tile = 0;

	@Parameter(label = "Overlap (px, 0 = auto)", min = "0")
	private int overlap = 0;

	@Parameter(label = "Type", choices = {"8-bit", "16-bit", "32-bit"})
	private String type = "8-bit";

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
			o.label = label == null || label.isBlank() ? null : label.trim();
			o.guidance = guidance;
			o.tile = tile;
			o.overlap = overlap;
			o.bitDepth = Integer.parseInt(type.replace("-bit", "").trim());
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
}
