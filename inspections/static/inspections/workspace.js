/* The inspection workspace: the line, its markers coloured by verdict (or state), its
   hazards and a survey's features on a Leaflet map (no tiles unless configured); a click
   on a picking map fills a form's position; the survey file's drop zone. */
(function () {
  const COLOURS = { intact: "#2a8a2a", displaced: "#d08000", missing: "#b00000",
                    disputed: "#7a3db8", duplicate: "#555", damaged: "#d08000",
                    newly_set: "#1d4e89", restored: "#1d4e89", relocated: "#1d4e89",
                    historical: "#888", "": "#1d4e89" };
  const HAZARDS = { low: "#c9a000", medium: "#d06000", high: "#b00000" };
  function pointStyle(p) {
    if (p.role === "survey") return { radius: 4, color: "#d0307a" };
    if (p.role === "hazard") return { radius: 6, color: HAZARDS[p.severity] || "#b00000",
                                      dashArray: "2 2" };
    if (p.role === "former") return { radius: 5, color: "#999", dashArray: "2 2" };
    return { radius: 7, color: COLOURS[p.verdict || p.status || ""] || "#555" };
  }
  // A map with data-pick (a selector of forms) sets the lon/lat fields of the form
  // being filled (the last one focused, else the first) where it is clicked.
  function picker(map, el) {
    const forms = [...document.querySelectorAll(el.dataset.pick)];
    if (!forms.length) return;
    let target = forms[0];
    let pin = null;
    forms.forEach((form) => form.addEventListener("focusin", () => { target = form; }));
    map.on("click", (e) => {
      const lon = target.querySelector("[data-pick=lon]");
      const lat = target.querySelector("[data-pick=lat]");
      if (!lon || !lat) return;
      lon.value = e.latlng.lng.toFixed(7);
      lat.value = e.latlng.lat.toFixed(7);
      const crs = target.querySelector("input[name=crs]");
      if (crs) crs.value = "4490";
      if (pin) pin.setLatLng(e.latlng);
      else pin = L.circleMarker(e.latlng, { radius: 8, color: "#000", fillOpacity: 0 }).addTo(map);
      el.dataset.picked = `${lon.value},${lat.value}`;
    });
  }
  function draw(el) {
    const data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    const map = L.map(el);
    // Leaflet applies ``style`` to the circle markers too, over pointToLayer's colours:
    // a point keeps its own (verdict, state or severity).
    const layer = L.geoJSON(data, {
      style: (f) => {
        if (f.geometry.type === "Point") return pointStyle(f.properties);
        return f.properties.role === "survey"
          ? { color: "#d0307a", weight: 2, dashArray: "4 3" }
          : { color: "#1d4e89", weight: 3 };
      },
      pointToLayer: (f, at) => L.circleMarker(at, { ...pointStyle(f.properties),
                                                     fillOpacity: 0.8 })
        .bindTooltip(f.properties.number || f.properties.layer || ""),
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([26.6, 104.8], 7);
    if (el.dataset.pick) picker(map, el);
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
