def test_it_serves_the_map_page_with_local_leaflet(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "leaflet" in html.lower()
    assert "/static/leaflet/leaflet.js" in html
    assert "unpkg" not in html
    assert "cdn" not in html.lower()  # works offline
