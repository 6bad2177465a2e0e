package org.ldmfiji.cli;

import ai.djl.Device;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.BundleLocator;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.TorchRuntime;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code ./ldm info}: engine, version, device, and the models found. */
final class InfoCommand {

	private final Options options;

	InfoCommand(List<String> args) {
		options = new Options("info", args, Set.of("device"), Set.of());
	}

	int run(PrintStream out) {
		Device device = TorchRuntime.device(TorchRuntime.DevicePreference.parse(options.get("device", "auto")));
		out.println("engine:  " + TorchRuntime.describe());
		out.println("device:  " + device);
		out.println("cache:   " + System.getProperty("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"));
		BundleLocator locator = BundleLocator.standard();
		out.println("models folders: " + locator.folders());
		Map<String, Path> models = locator.available();
		if (models.isEmpty()) out.println("models:  none found");
		for (Map.Entry<String, Path> e : models.entrySet()) {
			try {
				Manifest m = Manifest.read(e.getValue());
				out.println("model:   " + m.name + "  tasks " + m.denoisers.keySet() + "  (" + e.getValue() + ")");
			}
			catch (BundleException ex) {
				out.println("model:   " + e.getKey() + "  UNUSABLE: " + ex.getMessage());
			}
		}
		return 0;
	}
}
