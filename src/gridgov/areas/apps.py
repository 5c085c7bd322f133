from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "gridgov.areas"
    label = "areas"
    verbose_name = "区域与网格"

    def ready(self) -> None:
        from gridgov.areas.home import my_grids_panel, overview_panel, unstaffed_panel
        from gridgov.areas.models import Area, GridAssignment
        from gridgov.core import audit, audit_codes
        from gridgov.core.home import register_panel

        register_panel(overview_panel)
        register_panel(my_grids_panel)
        register_panel(unstaffed_panel)
        audit.register(Area)
        audit.register(GridAssignment)
        audit_codes.register(
            {
                "areas.area.created": "新建区域",
                "areas.area.updated": "修改区域",
                "areas.area.moved": "移动区域",
                "areas.area.retired": "撤销区域",
                "areas.assignment.created": "分配网格人员",
                "areas.assignment.ended": "结束网格人员分配",
                "areas.assignment.updated": "变更网格人员分配",
            }
        )
