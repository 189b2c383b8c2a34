"""Walk every URL pattern of the project as a commune officer and expect the other commune's data refused.

This test fails when a new URL forgets the scope: a URL with an organisation id must answer 404 for an
organisation of another commune (GET and POST, and the organisation stays unchanged), a URL without
ids must never show that organisation, and a URL with a parameter this test does not know how to
fill fails until the parameter is registered in FILL below (so nobody adds a URL unchecked).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

SECRET_NAME = "HTX Bí Mật Tân Uyên"
SECRET_CODE = "6209999999"

# How to fill each URL parameter: a function of the out-of-scope organisation.
FILL = {
    "pk": lambda org: [org.pk],
    "fmt": lambda org: ["xlsx", "csv"],
    "year": lambda org: [2024],
    "org_pk": lambda org: [org.pk],
    # The dashboard's unit page: the organisation's commune, by key and by id.
    "unit": lambda org: [org.unit.key, str(org.unit_id)],
    "plan_slug": lambda org: ["lai-chau-ktt-2021-2030", "son-la-nq134"],
}
# Only Django's own admin (staff only, checked separately below) is not walked.
SKIPPED_NAMESPACES = {"admin"}


def walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def urls_for(pattern: URLPattern, namespace, route: str, org):
    from django.urls import reverse

    if namespace in SKIPPED_NAMESPACES:
        return []
    converters = getattr(pattern.pattern, "converters", {})
    params = list(converters) or list(pattern.pattern.regex.groupindex)
    unknown = [p for p in params if p not in FILL]
    assert not unknown, (
        f"URL {route!r} takes {unknown}: register in FILL how to point it at out-of-scope data"
    )
    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
    assert pattern.name, f"URL {route!r} has no name"
    combos = [{}]
    for p in params:
        combos = [{**c, p: v} for c in combos for v in FILL[p](org)]
    return [(name, kwargs, reverse(name, kwargs=kwargs)) for kwargs in combos]


@pytest.fixture
def secret_org(make_org, units, people):
    """An organisation of Xã Tân Uyên with a submitted 2024 return: what the walker must never reach."""
    from hoptac.returns.services import return_create_or_get, return_save, return_submit

    org = make_org(SECRET_NAME, unit=units.xa_tan_uyen, code=SECRET_CODE)
    ret, _ = return_create_or_get(organisation=org, year=2024, actor=people.admin)
    ret, _ = return_save(
        ret=ret, actor=people.admin, data={"members_individual": 9}, expected_version=ret.version
    )
    return_submit(ret=ret, actor=people.admin)
    return org


def snapshot(org):
    ret = org.annual_returns.get()
    return org.history.count(), org.status_changes.count(), ret.history.count(), ret.status


def test_every_url_refuses_another_communes_organisation(client, people, secret_org, make_org, units):
    make_org("HTX Của Xã Than Uyên", unit=units.xa_than_uyen)
    client.force_login(people.commune)
    before = snapshot(secret_org)
    checked = 0
    for namespace, pattern, route in walk(get_resolver()):
        for name, kwargs, url in urls_for(pattern, namespace, route, secret_org):
            for method in ("get", "post"):
                client.force_login(people.commune)  # a walked logout URL must not hide the rest
                response = getattr(client, method)(url)
                body = response.content.decode("utf-8", "replace")
                if any(k == "pk" or k.endswith("_pk") for k in kwargs):
                    assert response.status_code in (404, 405), (
                        f"{method.upper()} {url} ({name}) answered {response.status_code}"
                    )
                else:
                    assert response.status_code in (200, 302, 404, 405), (
                        f"{method.upper()} {url} ({name}): {response.status_code}"
                    )
                    assert SECRET_NAME not in body and SECRET_CODE not in body, (
                        f"{method.upper()} {url} ({name}) shows it"
                    )
                checked += 1
    assert checked >= 10
    assert snapshot(secret_org) == before


def test_officers_cannot_enter_the_django_admin(client, people, secret_org):
    client.force_login(people.province)
    response = client.get(f"/admin/registry/organisation/{secret_org.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_walker_notices_a_url_that_forgets_the_scope(client, people, secret_org, settings):
    """The walker's own check: a view that fetches by pk without the scope is caught."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from hoptac.registry.models import Organisation

    def leaky(request, pk):
        return HttpResponse(Organisation.objects.get(pk=pk).name)

    import types

    urlconf = types.ModuleType("leaky_urls")
    urlconf.urlpatterns = [path("leaky/<int:pk>/", leaky, name="leaky")]
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()
    try:
        client.force_login(people.commune)
        with pytest.raises(AssertionError, match="leaky"):
            for namespace, pattern, route in walk(get_resolver(urlconf)):
                for name, _kwargs, url in urls_for(pattern, namespace, route, secret_org):
                    response = client.get(url)
                    assert response.status_code in (404, 405), (
                        f"GET {url} ({name}) answered {response.status_code}"
                    )
    finally:
        clear_url_caches()
