package org.ldmfiji.ij1;

import ij.IJ;
import ij.plugin.PlugIn;

import org.ldmfiji.model.EngineInfo;
import org.ldmfiji.model.TorchRuntime;

/**
 * ImageJ 1.x entry "LDM Engine Info" (plugins.config): engine, device, native library, cache and models, in the
 * Log window. Macro: {@code run("LDM Engine Info", "cpu")} makes this session's commands use the CPU.
 */
public class EngineInfoPlugin implements PlugIn {

	static final String TITLE = "LDM Engine Info";

	@Override
	public void run(String arg) {
		Ij1Plugins.guarded(TITLE, () -> {
			PluginDialog d = new PluginDialog(TITLE).checkbox("cpu", "CPU: use the CPU even when a GPU is present", false);
			if (!d.show()) return;
			TorchRuntime.setPreference(d.flag("cpu") ? TorchRuntime.DevicePreference.CPU : TorchRuntime.DevicePreference.AUTO);
			EngineInfo.report(TorchRuntime.preference(), Ij1Plugins.appFolders()).forEach(IJ::log);
		});
	}
}
