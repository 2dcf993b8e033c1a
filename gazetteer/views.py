"""Public pages of the gazetteer: search suggestions, a place's page, the change feed as a
page and as Atom/RSS. Views only read selectors and render."""

from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import feed, selectors

SUGGESTIONS = 8
FEED_ITEMS = 50


def suggest(request):
    """The search box's hits as you type (an htmx fragment)."""
    q = request.GET.get("q", "").strip()[:50]
    hits = selectors.suggestions(q, SUGGESTIONS) if q.replace("'", "") else None
    return render(request, "gazetteer/suggestions.html", {"q": q, "hits": hits})


def place_page(request, place_id: int):
    place = selectors.place_get(place_id)
    return render(request, "gazetteer/place.html", {
        "place": place, "variants": selectors.place_variants(place),
        "events": selectors.place_events(place), "signs": selectors.place_signs(place),
        "divisions": selectors.place_divisions([place.id])[place.id],
        "geometry": selectors.place_geojson(place),
    })


def changes_page(request):
    source = request.GET.get("source") or None
    return render(request, "gazetteer/changes.html",
                  {"items": feed.latest(FEED_ITEMS, source), "source": source})


class ChangesRss(Feed):
    title = _("Changes to divisions and place names")
    description = _("Published division changes and naming decisions, newest first.")

    def link(self):
        return reverse("changes-page")

    def get_object(self, request):
        return request.GET.get("source") or None

    def items(self, source):
        return feed.latest(FEED_ITEMS, source)

    def item_title(self, item):
        return change_title(item)

    def item_description(self, item):
        return item["description"] or change_title(item)

    def item_link(self, item):
        if item["source"] == "place":
            return reverse("place-page", args=[item["place_id"]])
        return reverse("changes-page") + f"#division-{item['id']}"

    def item_guid(self, item):
        return f"{item['source']}-{item['id']}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item["recorded_at"]


class ChangesAtom(ChangesRss):
    feed_type = Atom1Feed
    subtitle = ChangesRss.description


def change_title(item: dict) -> str:
    if item["source"] == "place":
        return f"{item['effective_date']} {item['kind']}: {item['old_value'] or ''} → " \
               f"{item['new_value'] or item.get('place_name', '')}"
    inputs, outputs = ("、".join(v["name"] for v in item[side]) for side in ("inputs", "outputs"))
    return f"{item['effective_date']} {item['kind']}: {inputs} → {outputs}"
