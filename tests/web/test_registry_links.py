"""The registry list's filters behind the dashboard's links: an indicator's population for a unit and a
year (or years), the status in force on 31/12 of a year, the year of the end."""

from django.urls import reverse

LIST = reverse("registry:organisation-list")


def names(response):
    return {o.name for o in response.context["organisations"]}


def test_the_list_shows_the_population_of_an_indicator_and_says_so(as_user, people, world, places):
    client = as_user(people.province)
    response = client.get(LIST, {"indicator": "htx-active", "unit": places.district.key, "year": "2023"})
    assert names(response) == {
        "HTX Chè Than Uyên", "HTX Xây dựng Mường Than", "HTX Dịch vụ Than Uyên", "HTX Đã Giải Thể",
        "Quỹ tín dụng Than Uyên", "HTX Yếu Phúc Than",
    }  # fmt: skip
    body = response.content.decode()
    assert 'data-testid="population-note"' in body
    assert (
        "The organisations behind “Operating cooperatives at the end of the year” for Huyện Than Uyên in 2023"
        in body
    )
    # The hidden filters stay in the form, so that changing another filter keeps the population.
    assert 'name="indicator" value="htx-active"' in body and 'name="year" value="2023"' in body


def test_the_numerator_of_a_share(as_user, people, world, places):
    client = as_user(people.province)
    query = {"indicator": "htx-weak-share", "unit": places.province.key, "year": "2024", "part": "numerator"}
    assert names(client.get(LIST, query)) == {"HTX Yếu Phúc Than"}


def test_a_flow_over_several_years(as_user, people, world, places):
    client = as_user(people.province)
    response = client.get(
        LIST, {"indicator": "htx-founded", "unit": places.province.key, "year": "2020-2021"}
    )
    assert names(response) == {"HTX Xây dựng Mường Than", "HTX Dịch vụ Than Uyên"}
    assert "in 2020–2021" in response.content.decode()


def test_the_population_never_widens_the_users_scope(as_user, people, world, places):
    client = as_user(people.commune)
    response = client.get(LIST, {"indicator": "htx-existing", "unit": places.province.key, "year": "2024"})
    # Lai Châu is not a unit the commune officer may pick: the filter falls back on his own organisations.
    assert "HTX Yếu Phúc Than" not in names(response)
    assert all(o.current_path.startswith(places.xa_than_uyen.path) for o in response.context["organisations"])


def test_the_status_in_force_at_the_end_of_a_year(as_user, people, world, places):
    client = as_user(people.province)
    then = client.get(
        LIST, {"unit": places.province.key, "status": "active", "year": "2022", "existing_in": "2022"}
    )
    now = client.get(LIST, {"unit": places.province.key, "status": "active"})
    assert "HTX Vận tải Ngủ Đông" in names(then)  # suspended only since 01/08/2023
    assert "HTX Vận tải Ngủ Đông" not in names(now)


def test_the_year_of_the_end(as_user, people, world, places):
    client = as_user(people.province)
    assert names(client.get(LIST, {"ended_in": "2024"})) == {"HTX Đã Giải Thể"}
    assert names(client.get(LIST, {"ended_in": "2023"})) == set()


def test_bad_values_are_ignored_with_a_notice_naming_them(as_user, people, world):
    client = as_user(people.province)
    unknown = client.get(LIST, {"indicator": "no-such-thing", "year": "2024"})
    assert "No indicator has the code “no-such-thing”." in " ".join(unknown.context["notices"])
    assert unknown.context["counts"].total == 9
    no_year = client.get(LIST, {"indicator": "htx-active"})
    assert "need the year of the figure" in " ".join(no_year.context["notices"])
    bad_year = client.get(LIST, {"indicator": "htx-active", "year": "20x4"})
    assert "is not a year (2024) or years (2021-2025)" in " ".join(bad_year.context["notices"])


def test_the_export_lists_the_same_organisations(as_user, people, world, places):
    client = as_user(people.province)
    response = client.get(
        reverse("registry:organisation-export", kwargs={"fmt": "csv"}),
        {"indicator": "htx-weak-share", "unit": places.province.key, "year": "2024", "part": "numerator"},
    )
    text = response.content.decode("utf-8-sig")
    assert "HTX Yếu Phúc Than" in text and "HTX Chè Than Uyên" not in text
