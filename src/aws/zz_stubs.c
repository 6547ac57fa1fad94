#include "aws_internal.h"
void aws_collect_iam(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_ec2(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_cloudtrail(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_config(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_kms(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_rds(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_monitoring(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_guardduty(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_securityhub(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_efs(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_organizations(aws_client *cl, aws_account *a){(void)cl;(void)a;}
void aws_collect_accessanalyzer(aws_client *cl, aws_account *a){(void)cl;(void)a;}
