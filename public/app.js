// GPTImg landing page: shows whether the service is healthy.
"use strict";

async function showServiceStatus() {
  const status = document.getElementById("service-status");
  if (!status) return;
  try {
    const response = await fetch("/healthz", { headers: { accept: "application/json" } });
    const health = await response.json();
    status.textContent = health.ok ? "All systems working" : "Service is having trouble — please try again soon";
    status.classList.add(health.ok ? "ok" : "bad");
  } catch {
    status.textContent = "Cannot reach the service — check your connection";
    status.classList.add("bad");
  }
}

showServiceStatus();
