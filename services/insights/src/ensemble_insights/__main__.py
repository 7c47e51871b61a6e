from ensemble_shared.serve import serve

serve("ensemble_insights.main:create_app")
