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

	/**
	 * The GPU part of the report: the NVIDIA driver and CUDA runtime libraries found, the flavour of the libtorch DJL
	 * loaded and why, and the step that turns the GPU on where none is used.
	 *
	 * @param probe what the machine offers
	 * @param setup the choice made before the engine started
	 * @param gpus GPUs the engine uses
	 * @param libtorch the folder DJL loaded libtorch from
	 */
	static List<String> gpuLines(CudaProbe probe, GpuSetup setup, int gpus, String libtorch) {
		List<String> lines = new ArrayList<>();
		lines.add("driver:  " + probe.driver().map(d -> "NVIDIA " + d).orElse("no NVIDIA driver found"));
		List<Path> runtimes = probe.cudaRuntimes();
		lines.add("cuda:    " + (runtimes.isEmpty() ? "no CUDA runtime library (libcudart, libcublas) on the library path "
			+ "or in the standard folders" : runtimes.toString()));
		String loaded = Path.of(libtorch).getFileName() == null ? libtorch : Path.of(libtorch).getFileName().toString();
		if (gpus > 0) {
			lines.add("flavour: CUDA, " + gpus + " GPU(s) in use (libtorch from " + loaded + "; " + setup.reason + ")");
			return lines;
		}
		lines.add("flavour: CPU (libtorch from " + loaded + "), because " + setup.reason);
		lines.add("to use the GPU: " + (setup.step.isEmpty() ? "the CUDA libtorch chosen did not start: see the log" : setup.step));
		return lines;
	}

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
		lines.addAll(gpuLines(CudaProbe.system(), TorchRuntime.gpuSetup(), TorchRuntime.gpuCount(), LibUtils.getLibtorchPath()));
		lines.add("cache:   " + Utils.getEngineCacheDir());
		lines.add("cpu convolutions: " + TorchRuntime.cpuConvolutions());
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
