import pytest
from django.core.management import CommandError, call_command

from gridgov.areas.models import Area
from gridgov.core.scoping import unscoped

pytestmark = pytest.mark.django_db


def test_create_division_with_children_is_idempotent(capsys):
    call_command("create_division", "330203", "--with-children")
    call_command("create_division", "330203", "--with-children")
    with unscoped("test"):
        district = Area.objects.get(code="330203")
        assert district.level == "county" and district.name == "海曙区"
        assert Area.objects.filter(parent=district).count() == 17
        assert Area.objects.get(code="330203101").name == "横街镇"
    assert "新建下级 0 个,已存在 17 个" in capsys.readouterr().out


def test_create_division_township_needs_its_county_first():
    with pytest.raises(CommandError, match="必须隶属于上级区域"):
        call_command("create_division", "330203101")


def test_create_division_unknown_code():
    with pytest.raises(CommandError, match="不在国家区划代码表"):
        call_command("create_division", "330299")
