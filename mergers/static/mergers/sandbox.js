// The sandbox map: the county's townships, clicked to pick them (the checkboxes of the form
// stay the source of truth, usable by keyboard); the merged unit drawn after a simulation.
(function () {
  const config = JSON.parse(document.getElementById("sandbox-config").textContent);
  const map = L.map("sandbox-map");
  if (config.bounds) map.fitBounds(config.bounds); else map.setView([26.6, 104.8], 9);
  const boxes = () => Array.from(document.querySelectorAll("#townships input[type=checkbox]"));
  const byCode = {};
  const style = (picked) => ({ color: picked ? "#c0392b" : "#4a8bd1", weight: picked ? 2 : 1,
                               fillColor: picked ? "#f5b7b1" : "#f4f1e8", fillOpacity: 0.6 });
  function paint() {
    boxes().forEach((box) => {
      const layer = byCode[box.dataset.code];
      if (layer) layer.setStyle(style(box.checked));
    });
  }
  const townships = L.geoJSON(null, {
    style: () => style(false),
    onEachFeature: (f, layer) => {
      byCode[f.properties.code] = layer;
      layer.bindTooltip(f.properties.name, { sticky: true });
      layer.on("click", () => {
        const box = boxes().find((b) => b.dataset.code === f.properties.code);
        if (box) { box.checked = !box.checked; paint(); }
      });
    },
  }).addTo(map);
  const b = map.getBounds();
  fetch(`${config.townships}?bbox=${[b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
    .map((v) => v.toFixed(5)).join(",")}&zoom=12`)
    .then((r) => r.json()).then((fc) => { townships.addData(fc); paint(); });
  document.getElementById("townships").addEventListener("change", paint);
  let merged = null;
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const script = e.detail.target.querySelector("#merged-geometry");
    if (!script) return;
    if (merged) map.removeLayer(merged);
    const geometry = JSON.parse(script.textContent);
    if (geometry) merged = L.geoJSON(geometry, { style: { color: "#8e44ad", weight: 3,
                                                          fill: false } }).addTo(map);
  });
})();
