AreaViewSet = GridAssignmentViewSet = GridViewSet = None
