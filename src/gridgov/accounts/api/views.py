DepartmentViewSet = MembershipViewSet = TokenView = None
