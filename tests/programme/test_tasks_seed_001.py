"""Seed 001 (Sơn La, Nghị quyết 134/NQ-CP): its appendix loaded exactly, row by row.

The expected rows below are the appendix of the seed, copied as data: group, number, task, lead
agency, coordinating agencies, time frame. Where the appendix gives a lead agency once for several
rows (a merged cell: II.2–3, II.5–6, II.9–11), each row carries it. Rows broken by a page break in
the document (II.5, III.1) are joined.
"""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.utils import translation

from hoptac.programme.models import Task, TaskGroup

from .conftest import SON_LA

GROUPS = [
    (
        "I",
        "Tiếp tục tăng cường công tác tuyên truyền, quán triệt, nâng cao nhận thức về bản chất của kinh tế tập thể, hợp tác xã",
    ),
    (
        "II",
        "Rà soát, hoàn thiện hệ thống pháp luật, cơ chế, chính sách về phát triển kinh tế tập thể, hợp tác xã và pháp luật có liên quan",
    ),
    (
        "III",
        "Củng cố tổ chức bộ máy, nâng cao năng lực, hiệu lực, hiệu quả quản lý nhà nước về kinh tế tập thể, hợp tác xã",
    ),
    (
        "IV",
        "Tăng cường năng lực quản trị, đổi mới phương thức sản xuất, kinh doanh, tiếp tục thành lập, phát triển thêm các hợp tác xã, tổ hợp tác, coi trọng mở rộng quy mô thành viên, nâng cao sức cạnh tranh, hiệu quả hoạt động của các tổ chức kinh tế tập thể, hợp tác xã; nâng cao vai trò chủ thể của các thành viên tham gia",
    ),
    ("V", "Củng cố, đổi mới tổ chức và hoạt động của hệ thống Liên minh Hợp tác xã tỉnh"),
    (
        "VI",
        "Phát huy vai trò của Mặt trận Tổ quốc, các tổ chức chính trị - xã hội, các hội quần chúng trong việc thực hiện Kết luận, góp phần thúc đẩy phát triển kinh tế tập thể, hợp tác xã",
    ),
]

ROWS = [
    (
        "I",
        "1",
        "Hướng dẫn tuyên truyền nhằm nâng cao nhận thức về kinh tế tập thể, hợp tác xã trên phương tiện thông tin đại chúng của tỉnh",
        "Sở Thông tin và Truyền thông",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "Hàng năm",
    ),
    (
        "I",
        "2",
        "Chủ trì, nghiên cứu đưa nội dung phát triển kinh tế tập thể, hợp tác xã vào giảng dạy trong các trường đại học cao, cao đẳng trên địa bàn tỉnh Sơn La.",
        "Sở Giáo dục và Đào tạo",
        "",
        "Hàng năm",
    ),
    (
        "I",
        "3",
        "Chỉ đạo các cơ sở giáo dục nghề nghiệp nghiên cứu đưa nội dung phát triển kinh tế tập thể, hợp tác xã vào giảng dạy trong các cơ sở giáo dục nghề nghiệp trên địa bàn tỉnh Sơn La",
        "Sở Lao động, Thương binh và Xã hội",
        "",
        "Hàng năm",
    ),
    (
        "I",
        "4",
        "Chủ trì, hướng dẫn các cơ sở đào tạo của các sở, ngành đưa nội dung phát triển kinh tế tập thể, hợp tác xã vào giảng dạy trong các cơ sở đào tạo của sở, ngành.",
        "Sở Nội vụ",
        "",
        "Hàng năm",
    ),
    (
        "I",
        "5",
        "Chủ trì, nghiên cứu đưa nội dung phát triển kinh tế tập thể, hợp tác xã vào giảng dạy trong chương trình đào tạo của Trường Chính trị tỉnh và các Trung tâm bồi dưỡng chính trị các huyện, thành phố",
        "Trường chính trị tỉnh",
        "",
        "Hàng năm",
    ),
    (
        "II",
        "1",
        "Xây dựng Kế hoạch/Đề án phát triển kinh tế tập thể, hợp tác xã giai đoạn 2021 - 2025 theo ngành, lĩnh vực, địa phương",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "2020 - 2021",
    ),
    (
        "II",
        "2",
        "Tổng kết 20 năm thực hiện Nghị quyết số 13-NQ/TW ngày 18/3/2002 Hội nghị lần thứ 5, Ban Chấp hành Trung ương Đảng khóa IX về tiếp tục đổi mới, phát triển và nâng cao hiệu quả kinh tế tập thể",
        "BCĐ Đổi mới, phát triển KTTT, HTX tỉnh",
        "",
        "2021 - 2022",
    ),
    (
        "II",
        "3",
        "Tổng kết 10 năm thi hành Luật Hợp tác xã năm 2012",
        "BCĐ Đổi mới, phát triển KTTT, HTX tỉnh",
        "",
        "2021 - 2022",
    ),
    (
        "II",
        "4",
        'Xây dựng Kế hoạch và hướng dẫn tiêu chí thực hiện Đề án "Lựa chọn, hoàn thiện, nhân rộng mô hình HTX kiểu mới giai đoạn 2021 - 2025" trên địa bàn tỉnh Sơn La',
        "Sở Kế hoạch và Đầu tư",
        "",
        "2021",
    ),
    (
        "II",
        "5",
        "Xây dựng Đề án phát triển KTTT, HTX nông nghiệp gắn với tái cơ cấu nông nghiệp và xây dựng nông thôn mới trên địa bàn tỉnh giai đoạn 2021 - 2025",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "",
        "2021 - 2022",
    ),
    (
        "II",
        "6",
        "Tổng kết, đánh giá kết quả thực hiện các Quyết định của Thủ tướng Chính phủ, bao gồm: số 461/QĐ-TTg ngày 27/4/2018 về phê duyệt Đề án Phát triển 15.000 hợp tác xã, liên hiệp hợp tác xã nông nghiệp hoạt động hiệu quả đến năm 2020; số 490/QĐ-TTg ngày 07/5/2018 về phê duyệt Chương trình mỗi xã một sản phẩm giai đoạn 2018 - 2020",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "",
        "2020 - 2021",
    ),
    (
        "II",
        "7",
        "Nghiên cứu, rà soát cơ chế, chính sách của tỉnh hỗ trợ kinh tế tập thể, hợp tác xã trong hoạt động ứng dụng các kết quả nghiên cứu khoa học và công nghệ để nâng cao năng suất, chất lượng, sức cạnh tranh của hoạt động sản xuất kinh doanh",
        "Sở Khoa học và Công nghệ",
        "",
        "2021 - 2022",
    ),
    (
        "II",
        "8",
        "Hỗ trợ kinh tế tập thể, hợp tác xã tham gia vào Chương trình cấp quốc gia về xúc tiến thương mại, hỗ trợ hợp tác xã, liên hiệp hợp tác xã tham gia hoạt động xúc tiến thương mại trong nước, của tỉnh và Quỹ khuyến công của tỉnh",
        "Sở Công thương",
        "",
        "Hàng năm",
    ),
    (
        "II",
        "9",
        "Hướng dẫn HTX thực hiện cơ chế, chính sách ưu đãi, hỗ trợ trong giao đất, cho thuê đất và cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản khác gắn liền với đất do cấp có thẩm quyền phê duyệt",
        "Sở Tài nguyên và Môi trường",
        "",
        "Hàng năm",
    ),
    (
        "II",
        "10",
        "Đề xuất phương án xử lý dứt điểm các vương mắc về đất đai của hợp tác xã trên địa bàn tỉnh",
        "Sở Tài nguyên và Môi trường",
        "",
        "Hàng năm",
    ),
    (
        "II",
        "11",
        "Hướng dẫn hợp tác xã thực hiện cơ chế, chính sách tập trung đất đai do cấp có thẩm quyền phê duyệt",
        "Sở Tài nguyên và Môi trường",
        "",
        "2020 - 2021",
    ),
    (
        "II",
        "12",
        "Rà soát thực hiện chính sách, chế độ bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp đối với người lao động làm việc trong hợp tác xã theo quy định của Luật Bảo hiểm xã hội và quy định của pháp luật có liên quan",
        "Bảo hiểm xã hội tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "Hàng năm",
    ),
    (
        "II",
        "13",
        "Tổng hợp, đề xuất phương án xử lý nợ bảo hiểm xã hội, bảo hiểm thất nghiệp, bảo hiểm y tế của hợp tác xã",
        "Bảo hiểm xã hội tỉnh",
        "",
        "2021",
    ),
    (
        "II",
        "14",
        "Chỉ đạo các cơ sở giáo dục nghề nghiệp xây dựng chương trình đào tạo nghề nghiệp đáp ứng nhu cầu nhân lực, đặc biệt là nhân lực chất lượng cao phục vụ phát triển kinh tế tập thể, hợp tác xã",
        "Sở Lao động, Thương binh và Xã hội",
        "",
        "2020 - 2021",
    ),
    (
        "II",
        "15",
        "Hướng dẫn, hỗ trợ các hợp tác xã đủ năng lực, điều kiện được tham gia thực hiện một số nội dung của Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi giai đoạn 2021 - 2030",
        "Ban Dân tộc tỉnh",
        "",
        "2021 - 2022",
    ),
    (
        "III",
        "1",
        "Củng cố vai trò của Ban Chỉ đạo đổi mới, phát triển kinh tế tập thể, hợp tác xã tỉnh Sơn La theo Quyết định số 1903/QĐ-UBND ngày 01/9/2020 của UBND tỉnh Sơn La nhằm tạo sự thống nhất, đồng bộ, xuyên suốt, toàn diện trong công tác lãnh đạo, chỉ đạo, phối hợp, điều hành giữa các sở, ngành, UBND các huyện, thành phố trong phát triển kinh tế tập thể, hợp tác xã",
        "Ban Chỉ đạo Đổi mới, phát triển kinh tế tập thể, hợp tác xã tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "2020 - 2021",
    ),
    (
        "III",
        "2",
        "Củng cố, kiện toàn bộ máy quản lý nhà nước về hợp tác xã theo phân công của UBND tỉnh và quy định của Luật Hợp tác xã năm 2012",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "",
        "2021 - 2022",
    ),
    (
        "IV",
        "1",
        "Hướng dẫn tổ chức, củng cố lại hoạt động của các hợp tác xã theo đúng bản chất của Luật Hợp tác xã năm 2012 và các văn bản hướng dẫn",
        "Liên minh Hợp tác xã tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "2021 - 2022",
    ),
    (
        "IV",
        "2",
        "Đào tạo, bồi dưỡng nâng cao năng lực quản trị cho cán bộ quản lý, thành viên hợp tác xã",
        "Liên minh HTX tỉnh",
        "",
        "2021 - 2022",
    ),
    (
        "IV",
        "3",
        "Xây dựng và tổng kết mô hình hợp tác xã nông nghiệp hoạt động hiệu quả, liên kết sản xuất, tiêu thụ sản phẩm theo chuỗi giá trị nhằm mục tiêu bảo vệ môi trường, tạo việc làm và nâng cao thu nhập cho thành viên",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "",
        "2021 - 2025",
    ),
    (
        "V",
        "1",
        "Tổ chức triển khai thực hiện Đề án phát triển KTTT, hợp tác xã vùng đồng bào dân tộc thiểu số và miền núi",
        "Liên minh HTX tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "2021 - 2025",
    ),
    (
        "V",
        "2",
        "Tổ chức triển khai thực hiện Đề án xây dựng và phát triển hợp tác xã tiêu dùng trên địa bàn tỉnh Sơn La",
        "Liên minh HTX tỉnh",
        "",
        "2021 - 2025",
    ),
    (
        "V",
        "3",
        "Tổ chức triển khai thực hiện Đề án nâng cao năng lực và hiệu quả hoạt động của các hợp tác xã nông nghiệp sản xuất, chế biến và xuất khẩu sản phẩm chủ lực, quy mô lớn theo chuỗi giá trị, bảo đảm xây dựng nông thôn mới bền vững trên địa bàn tỉnh Sơn La",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "",
        "2021 - 2025",
    ),
    (
        "VI",
        "1",
        "Thành lập, tổ chức, hoạt động và hỗ trợ đối với hợp tác xã của nông dân; tuyên truyền, vận động hội viên nông dân nâng cao nhận thức về kinh tế tập thể, tích cực tham gia thành lập hợp tác xã của nông dân",
        "Hội nông dân tỉnh",
        "Các sở, ban, ngành, UBND các huyện, thành phố",
        "2021 - 2022",
    ),
    (
        "VI",
        "2",
        "Thành lập, tổ chức, hoạt động và hỗ trợ đối với hợp tác xã của thanh niên (đặc biệt là hợp tác xã của sinh viên); tuyên truyền, vận động hội viên tích cực tham gia thành lập hợp tác xã của sinh viên",
        "Tỉnh đoàn Sơn La",
        "",
        "2021 - 2022",
    ),
    (
        "VI",
        "3",
        "Xây dựng Đề án hợp tác xã phụ nữ tham gia quản lý và tạo việc làm cho lao động nữ giai đoạn 2021 - 2030 trên địa bàn tỉnh Sơn La",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "",
        "2021 - 2022",
    ),
    (
        "VI",
        "4",
        "Thành lập, tổ chức, hoạt động và hỗ trợ đối với hợp tác xã của cựu chiến binh; tuyên truyền, vận động hội viên tích cực tham gia thành lập hợp tác xã của cựu chiến binh",
        "Hội Cựu chiến binh tỉnh",
        "",
        "2021 - 2022",
    ),
]

# The agencies the lead texts stand for (codes of programme/fixtures/agencies.json).
LEAD_CODES = {
    ("II", "2"): "son-la-ban-chi-dao-ktt",
    ("II", "3"): "son-la-ban-chi-dao-ktt",
    ("II", "5"): "son-la-so-nong-nghiep-ptnt",
    ("II", "6"): "son-la-so-nong-nghiep-ptnt",
    ("II", "9"): "son-la-so-tai-nguyen-moi-truong",
    ("II", "10"): "son-la-so-tai-nguyen-moi-truong",
    ("II", "11"): "son-la-so-tai-nguyen-moi-truong",
    ("II", "4"): "son-la-so-ke-hoach-dau-tu",
    ("II", "1"): "son-la-cac-so-ban-nganh-ubnd-huyen",
    ("IV", "2"): "son-la-lien-minh-htx",
    ("VI", "2"): "son-la-tinh-doan",
}


def tasks_json(slug: str) -> list[dict]:
    out = io.StringIO()
    call_command("tasks", "--plan", slug, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_loadplan_son_la_loads_every_row_of_the_appendix_exactly(load):
    load(SON_LA)
    records = tasks_json(SON_LA)
    got = [
        (r["group"], r["number"], r["title"], r["lead"], r["coordinating"], r["timeframe"]) for r in records
    ]
    assert len(got) == len(ROWS) == 32
    for expected, row in zip(ROWS, got, strict=True):
        assert row == expected


def test_the_appendix_has_its_six_groups_with_their_titles(load):
    plan = load(SON_LA)[SON_LA]
    assert list(TaskGroup.objects.filter(plan=plan).values_list("number", "title")) == GROUPS
    counts = {g: sum(1 for r in ROWS if r[0] == g) for g, _ in GROUPS}
    assert counts == {"I": 5, "II": 15, "III": 2, "IV": 3, "V": 3, "VI": 4}


def test_a_lead_agency_given_once_for_several_rows_leads_each_of_them(load):
    load(SON_LA)
    by_ref = {(r["group"], r["number"]): r for r in tasks_json(SON_LA)}
    for ref, code in LEAD_CODES.items():
        assert by_ref[ref]["lead_code"] == code, ref
    # The merged cell leads the rows below it in the database too, not only in the listing.
    assert (
        Task.objects.get(plan__slug=SON_LA, group__number="II", number="3").lead.code
        == "son-la-ban-chi-dao-ktt"
    )


def test_time_frames_are_read_as_years(load):
    load(SON_LA)
    by_ref = {(r["group"], r["number"]): r for r in tasks_json(SON_LA)}
    assert (by_ref[("I", "1")]["start_year"], by_ref[("I", "1")]["end_year"]) == (None, None)  # Hàng năm
    assert (by_ref[("II", "4")]["start_year"], by_ref[("II", "4")]["end_year"]) == (2021, 2021)
    assert (by_ref[("V", "1")]["start_year"], by_ref[("V", "1")]["end_year"]) == (2021, 2025)
    task = Task.objects.get(plan__slug=SON_LA, group__number="II", number="1")  # 2020 - 2021
    assert list(task.years(task.plan.programme)) == [2021]  # the programme reports from 2021


def test_coordinating_agencies_are_groups_whose_members_report(load):
    load(SON_LA)
    task = Task.objects.get(plan__slug=SON_LA, group__number="I", number="1")
    assert [a.code for a in task.coordinating.all()] == ["son-la-cac-so-ban-nganh-ubnd-huyen"]
    assert task.plan.programme.deadline(2021).isoformat() == "2021-12-05"


def test_the_tasks_table_lists_groups_numbers_leads_and_time_frames(load):
    load(SON_LA)
    out = io.StringIO()
    with translation.override("en"):
        call_command("tasks", "--plan", SON_LA, stdout=out)
    text = out.getvalue()
    assert "Hội Cựu chiến binh tỉnh" in text and "2020 - 2021" in text and "Hàng năm" in text
    assert text.rstrip().endswith("32 tasks in 6 groups.")


def test_loadplan_reports_the_tasks_it_loaded_and_changes_nothing_the_second_time(db):
    with translation.override("en"):
        call_command("loadplan", SON_LA, stdout=(first := io.StringIO()))
        call_command("loadplan", SON_LA, stdout=(second := io.StringIO()))
    assert "6 task groups, tasks 32 created, 0 updated, 0 unchanged, 0 deleted" in first.getvalue()
    assert "reports due by 05/12 every year" in first.getvalue()
    assert "6 task groups, tasks 0 created, 0 updated, 32 unchanged, 0 deleted" in second.getvalue()
