// The status window: asks the engine for its status once a second and shows it.
"use strict";

const invoke = window.__TAURI__.core.invoke;

function formatUptime(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}

function show(status) {
  const badge = document.getElementById("state");
  badge.textContent = status.state;
  badge.dataset.state = status.state;
  document.getElementById("address").textContent = status.address ?? "—";
  document.getElementById("connections").textContent = String(status.connections);
  document.getElementById("uptime").textContent = status.state === "running" ? formatUptime(status.uptime_secs) : "—";
  document.getElementById("version").textContent = status.version;
  const error = document.getElementById("error");
  error.hidden = !status.error;
  error.textContent = status.error ?? "";
}

async function refresh() {
  try {
    show(await invoke("status"));
  } catch (error) {
    show({ state: "failed", version: "—", address: null, connections: 0, uptime_secs: 0, error: String(error) });
  }
}

refresh();
setInterval(refresh, 1000);
