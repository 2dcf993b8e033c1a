/* The inspection workspace: the line, its markers coloured by verdict and a survey's
   features on a Leaflet map (no tiles unless configured); the survey file's drop zone. */
(function () {
  const COLOURS = { intact: "#2a8a2a", displaced: "#d08000", missing: "#b00000",
                    disputed: "#7a3db8", duplicate: "#555",
                    "": "#1d4e89" };
  function draw(el) {
    const data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    const map = L.map(el);
    const layer = L.geoJSON(data, {
      style: (f) => f.properties.role === "survey"
        ? { color: "#d0307a", weight: 2, dashArray: "4 3" }
        : { color: "#1d4e89", weight: 3 },
      pointToLayer: (f, at) => L.circleMarker(at, {
        radius: f.properties.role === "survey" ? 4 : 7,
        color: f.properties.role === "survey" ? "#d0307a"
          : (COLOURS[f.properties.verdict] || "#555"),
        fillOpacity: 0.8,
      }).bindTooltip(f.properties.number || f.properties.layer || ""),
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([26.6, 104.8], 7);
    el.dataset.drawn = String(layer.getLayers().length);
  }
  document.querySelectorAll(".inspection-map").forEach(draw);

  document.querySelectorAll(".dropzone").forEach((zone) => {
    const input = zone.querySelector("input[type=file]");
    const shown = zone.querySelector(".chosen");
    const show = () => { shown.textContent = input.files.length ? input.files[0].name : ""; };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => {
      e.preventDefault(); zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => {
      zone.classList.remove("over");
    }));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; show(); }
    });
  });
})();
