package org.ldmfiji.command;

import org.ldmfiji.model.EngineInfo;
import org.ldmfiji.model.TorchRuntime;
import org.scijava.ItemIO;
import org.scijava.app.AppService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins &gt; Latent Diffusion &gt; LDM Engine Info: engine, version, device, GPU count, native library, cache folder
 * and the models found; "use the CPU" makes the commands of this session run on the CPU even with a GPU.
 * Recorded as {@code run("LDM Engine Info", "cpu")}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Latent Diffusion>LDM Engine Info")
public class EngineInfoCommand implements Command {

	@Parameter(label = "Use the CPU even when a GPU is present")
	private boolean cpu = false;

	@Parameter(required = false)
	private AppService apps;

	@Parameter(type = ItemIO.OUTPUT, label = "LDM Engine Info")
	private String info;

	@Override
	public void run() {
		TorchRuntime.setPreference(cpu ? TorchRuntime.DevicePreference.CPU : TorchRuntime.DevicePreference.AUTO);
		info = String.join("\n", EngineInfo.report(TorchRuntime.preference(), LdmCommand.appFolders(apps)));
	}
}
