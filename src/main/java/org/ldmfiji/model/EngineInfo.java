package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code ./ldm info} and {@code LDM Engine Info} report: engine, version, device, GPU count, threads, where the
 * native library and DJL's cache are, and the models found.
 */
public final class EngineInfo {

	private EngineInfo() {}

	public static List<String> report(TorchRuntime.DevicePreference preference) {
		return report(preference, List.of());
	}

	/** The report, the models searched also in {@code <app>/models/ldm/} of the given application folders. */
	public static List<String> report(TorchRuntime.DevicePreference preference, List<Path> appFolders) {
		List<String> lines = new ArrayList<>();
		Device device = TorchRuntime.device(preference);
		lines.add("engine:  " + TorchRuntime.describe());
		lines.add("device:  " + device + " (preference " + preference.name().toLowerCase(java.util.Locale.ROOT) + ")");
		lines.add("native:  " + LibUtils.getLibtorchPath());
		lines.add("cache:   " + Utils.getEngineCacheDir());
		// Engine Info is where a user asks for the models kept loaded between commands to be let go
		int loaded = BundleCache.shared().size(), released = BundleCache.shared().releaseIdle();
		lines.add("loaded models: " + loaded + ", released now: " + released + " (the next command loads its model again)");
		BundleLocator locator = BundleLocator.standard(appFolders);
		lines.add("models folders: " + locator.folders());
		Map<String, Path> models = locator.available();
		if (models.isEmpty()) lines.add("models:  none found");
		for (Map.Entry<String, Path> e : models.entrySet()) {
			try {
				Manifest m = Manifest.read(e.getValue());
				lines.add("model:   " + m.name + "  tasks " + m.denoisers.keySet() + "  (" + e.getValue() + ")");
			}
			catch (BundleException ex) {
				lines.add("model:   " + e.getKey() + "  UNUSABLE: " + ex.getMessage());
			}
		}
		return lines;
	}
}
