from ensemble_shared.serve import serve

serve("ensemble_scheduler.main:create_app")
