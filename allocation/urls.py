from django.urls import path

from allocation import views

app_name = "allocation"

urlpatterns = [
    path("", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/cancel/", views.run_cancel_view, name="run_cancel"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/approve/", views.proposal_approve_view, name="proposal_approve"),
    path("proposals/<int:pk>/reject/", views.proposal_reject_view, name="proposal_reject"),
    path("proposals/<int:proposal_pk>/moves/<int:pk>/", views.move_detail, name="move"),
    path("proposals/<int:proposal_pk>/moves/<int:pk>/decide/", views.move_decide_view, name="move_decide"),
    path("proposals/<int:proposal_pk>/moves/<int:pk>/comment/", views.move_comment_view, name="move_comment"),
]
